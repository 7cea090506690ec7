package dev.kubespan.wireguard.internal.userspace;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import dev.kubespan.api.Log;
import dev.kubespan.wireguard.internal.LinkOpsAccess;

/**
 * A {@link UserspaceBackend} in a JVM of its own, driven line by line over stdin, so that a test
 * can put it where the test's JVM cannot be: in a PID namespace of its own whose {@code /proc} is
 * another namespace's ({@link SupervisionInPidNamespaceTest}). Answers start with {@code @@ }; the
 * backend's log goes to stderr.
 *
 * <pre>
 *   start   a backend (adopting what runs), ensureLink     → @@ ok PID started|adopted
 *   reopen  close(keep links), then start                  → @@ ok PID started|adopted
 *   health                                                 → @@ health PID DETAIL
 *   stop    close(remove links)                            → @@ ok
 * </pre>
 *
 * Arguments: runtime directory, link name.
 */
public final class SupervisorProcess {
    private SupervisorProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path runtimeDir = Path.of(args[0]);
        String link = args[1];
        UserspaceSettings settings = UserspaceSettings.defaults("", runtimeDir)
                .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
        Log log = Log.console("[supervisor " + link + "]");
        UserspaceBackend backend = null;
        ScheduledThreadPoolExecutor executor = null;
        LinkOpsAccess links = null;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null;) {
            try {
                switch (line.trim()) {
                    case "reopen", "start" -> {
                        if (backend != null) {
                            backend.close(true);
                            executor.shutdownNow();
                            links.close();
                        }
                        executor = new ScheduledThreadPoolExecutor(1);
                        links = LinkOpsAccess.ownNamespace();
                        backend = new UserspaceBackend(settings, links, executor, log);
                        List<String> adopted = backend.adoptRunning();
                        backend.ensureLink(link, 1420);
                        say("ok " + backend.health(link).pid() + (adopted.contains(link) ? " adopted" : " started"));
                    }
                    case "health" -> say("health " + backend.health(link).pid() + " " + backend.health(link).detail());
                    case "stop" -> {
                        backend.close(false);
                        executor.shutdownNow();
                        links.close();
                        backend = null;
                        say("ok");
                    }
                    default -> say("error unknown command " + line);
                }
            } catch (RuntimeException e) {
                say("error " + e);
            }
        }
        System.exit(0);
    }

    private static void say(String answer) {
        System.out.println("@@ " + answer);
        System.out.flush();
    }
}
