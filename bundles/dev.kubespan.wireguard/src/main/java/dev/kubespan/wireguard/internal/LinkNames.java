package dev.kubespan.wireguard.internal;

/** Link names go into file paths and argv, so they are checked before anything else. */
public final class LinkNames {
    /** IFNAMSIZ - 1. */
    public static final int MAX_LENGTH = 15;

    private LinkNames() {
    }

    public static String check(String link) {
        if (link == null || link.isEmpty()) {
            throw new IllegalArgumentException("link name is empty");
        }
        if (link.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("link name '" + link + "' is longer than " + MAX_LENGTH + " characters");
        }
        if (!link.matches("[A-Za-z0-9][A-Za-z0-9_.-]*") || link.equals(".") || link.equals("..")) {
            throw new IllegalArgumentException("link name '" + link
                    + "' must start with a letter or digit and contain only letters, digits, '_', '.', '-'");
        }
        return link;
    }
}
