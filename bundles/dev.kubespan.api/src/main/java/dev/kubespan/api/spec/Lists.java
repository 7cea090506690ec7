package dev.kubespan.api.spec;

import java.util.List;

final class Lists {
    private Lists() {
    }

    static <T> List<T> copy(List<T> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

    static String text(String s) {
        return s == null ? "" : s;
    }
}
