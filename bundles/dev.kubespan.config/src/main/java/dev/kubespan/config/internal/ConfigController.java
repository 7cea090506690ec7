package dev.kubespan.config.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import dev.kubespan.api.Log;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.ControllerRuntime;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.config.ConfigProblem;
import dev.kubespan.config.LoadResult;

/**
 * Keeps the published KubeSpan configuration in line with its source (the YAML file or the
 * ConfigAdmin properties), in immediate mode: a file change is seen through a directory watch and,
 * as a fallback, a content check every second, and applied at once. A source that does not parse
 * or validate is rejected: one error is logged naming file, field and reason, the last good
 * resources stay in the store untouched, and {@link #lastResult()} tells why.
 *
 * <p>All loading runs in the passes of one controller ({@value #NAME}), so loads never overlap;
 * a pass runs on a file change, on {@link #POLL_INTERVAL}, and when asked ({@link #reload()}).
 */
final class ConfigController implements AutoCloseable {
    static final String NAME = "dev.kubespan.config/config";
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    /** Lets an editor finish a multi-step save before we read. */
    static final Duration SETTLE_DELAY = Duration.ofMillis(50);
    private static final int SETTLE_ATTEMPTS = 20;
    static final String CONFIGADMIN_SOURCE = "configadmin:dev.kubespan.config";
    /** Problems named in one log line; the shell lists more (LoadResult.MAX_LISTED). */
    static final int LOGGED_PROBLEMS = 10;
    /** A KubeSpan config is a few kilobytes; a bigger file is a mistake, not read into memory. */
    static final int MAX_FILE_BYTES = 4 << 20;

    private sealed interface Source permits FileSource, AdminSource {
        String name();
    }

    private record FileSource(Path file) implements Source {
        @Override
        public String name() {
            return file.toString();
        }
    }

    private record AdminSource(Map<String, ?> props) implements Source {
        @Override
        public String name() {
            return CONFIGADMIN_SOURCE;
        }

        @Override
        public String toString() {
            return "AdminSource"; // the properties hold the cluster secret
        }
    }

    private final Log log;
    private final Clock clock;
    private final RunningController loop;
    private final AtomicBoolean force = new AtomicBoolean();
    private final AtomicReference<ConfigProblem> rejection = new AtomicReference<>();
    private final Object watchLock = new Object();

    private volatile Source source;
    private volatile LoadResult lastResult;
    private volatile LoadResult lastApplied;
    private DirectoryWatch watch;
    private Path watchedFile;

    // Loop thread only.
    private Source loadedSource;
    private byte[] loadedFingerprint;
    private Boolean lastHadIdentity;

    ConfigController(ResourceStore store, Log log, Clock clock) {
        this.log = log;
        this.clock = clock;
        this.lastResult = new LoadResult(clock.instant(), "", false,
                List.of(new ConfigProblem("", "", 0, "not loaded yet")), List.of());
        this.loop = new ControllerRuntime(store, log).start(new Loader());
    }

    /** The controller: no store inputs, the two config resources as outputs. */
    private final class Loader implements Controller {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public List<Input<?>> inputs() {
            return List.of();
        }

        @Override
        public List<Output> outputs() {
            return List.of(Output.exclusive(ResourceTypes.KUBESPAN_CONFIG), Output.exclusive(ResourceTypes.DISCOVERY_CONFIG),
                    Output.exclusive(ResourceTypes.NAT_CONFIG));
        }

        @Override
        public void reconcile(ControllerContext ctx) {
            ctx.wakeIn(POLL_INTERVAL);
            ConfigProblem rejected = rejection.getAndSet(null);
            if (rejected != null) {
                Problems problems = new Problems(rejected.source());
                problems.error(rejected.path(), rejected.line(), rejected.reason());
                apply(ctx, rejected.source(), null, problems);
            }
            ConfigController.this.reconcile(ctx);
        }
    }

    /** Reads {@code file} from now on, watching it for changes. */
    void useFile(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        synchronized (watchLock) {
            if (!abs.equals(watchedFile)) {
                closeWatch();
                try {
                    watch = new DirectoryWatch(abs, loop::trigger);
                    watchedFile = abs;
                } catch (IOException e) {
                    log.warn("KubeSpan config: cannot watch " + abs.getParent()
                            + "; changes are picked up by the periodic check", e);
                }
            }
        }
        source = new FileSource(abs);
        force.set(true);
        loop.trigger();
    }

    /** Uses the given ConfigAdmin properties from now on (and stops watching the file). */
    void useConfigAdmin(Map<String, ?> props) {
        synchronized (watchLock) {
            closeWatch();
        }
        source = new AdminSource(Map.copyOf(props));
        force.set(true);
        loop.trigger();
    }

    /** Records a problem found outside the loaders (a bad ConfigAdmin {@code source}) as a rejected load. */
    void reject(String sourceName, ConfigProblem problem) {
        rejection.set(new ConfigProblem(sourceName, problem.path(), problem.line(), problem.reason()));
        loop.trigger();
    }

    LoadResult lastResult() {
        return lastResult;
    }

    Optional<LoadResult> lastApplied() {
        return Optional.ofNullable(lastApplied);
    }

    /** Loads the current source now, even when unchanged, and returns the result. */
    LoadResult reload() {
        force.set(true);
        try {
            loop.runNow().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // stopped or stuck: the last result is all there is
        }
        return lastResult;
    }

    private void reconcile(ControllerContext ctx) {
        Source s = source;
        if (s == null) {
            return;
        }
        boolean forced = force.getAndSet(false) || !s.equals(loadedSource);
        if (s instanceof FileSource f) {
            reconcileFile(ctx, f, forced);
        } else if (forced) {
            loadedSource = s;
            loadedFingerprint = null;
            Problems problems = new Problems(s.name());
            RawSettings raw = ConfigAdminReader.read(((AdminSource) s).props(), problems);
            apply(ctx, s.name(), raw, problems);
        }
    }

    private record Read(byte[] content, String error) {
        byte[] fingerprint() {
            return sha256(content != null ? content
                    : ("\0error\0" + error).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static Read read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
            if (content.length > MAX_FILE_BYTES) {
                return new Read(null, "the file is larger than " + (MAX_FILE_BYTES >> 20)
                        + " MiB; a KubeSpan config is a few kilobytes");
            }
            return new Read(content, null);
        } catch (NoSuchFileException e) {
            return new Read(null, "file not found");
        } catch (IOException e) {
            return new Read(null, "cannot read the file: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    private void reconcileFile(ControllerContext ctx, FileSource f, boolean forced) {
        Read read = read(f.file());
        if (!forced && Arrays.equals(read.fingerprint(), loadedFingerprint)) {
            return;
        }
        // A writer may be half-way (truncated, partly written): wait until two reads agree.
        try {
            for (int i = 0; i < SETTLE_ATTEMPTS; i++) {
                Thread.sleep(SETTLE_DELAY.toMillis());
                Read again = read(f.file());
                if (Arrays.equals(again.fingerprint(), read.fingerprint())) {
                    break;
                }
                read = again;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        loadedSource = f;
        loadedFingerprint = read.fingerprint();
        Problems problems = new Problems(f.name());
        if (read.content() == null) {
            problems.error("", 0, read.error());
            apply(ctx, f.name(), null, problems);
        } else if (read.content().length == 0) {
            // Most likely a save in progress or a mistake; switching KubeSpan off takes "enabled: false".
            problems.error("", 0, "the file is empty");
            apply(ctx, f.name(), null, problems);
        } else {
            apply(ctx, f.name(), YamlConfigReader.read(read.content(), problems), problems);
        }
    }

    /** Publishes or rejects; the result is set last, so whoever sees it also sees the store and the log. */
    private void apply(ControllerContext ctx, String sourceName, RawSettings raw, Problems problems) {
        EffectiveConfig config = raw == null ? null : SettingsValidator.validate(raw, problems);
        if (config == null) {
            LoadResult r = problems.result(clock.instant(), false);
            log.error("Rejected KubeSpan config " + sourceName + "; " + (lastApplied == null
                    ? "nothing is published from it" : "the last good config stays in force") + ". "
                    + r.errorCount() + (r.errorCount() == 1 ? " error: " : " errors: ")
                    + describe(r.errors(), r.errorCount()), null);
            lastResult = r;
            return;
        }
        try {
            ConfigPublisher.publish(ctx, config);
        } catch (RuntimeException e) {
            LoadResult valid = problems.result(clock.instant(), true);
            LoadResult r = new LoadResult(valid.time(), sourceName, false,
                    List.of(new ConfigProblem(sourceName, "", 0, "cannot publish: " + e)), valid.warnings(), 0,
                    valid.omittedWarnings());
            log.error("KubeSpan config " + sourceName + " is valid but could not be published", e);
            lastResult = r;
            return;
        }
        LoadResult r = problems.result(clock.instant(), true);
        log.info("Applied KubeSpan config " + sourceName + ": " + config.describe());
        r.warnings().stream().limit(LOGGED_PROBLEMS).forEach(w -> log.warn("KubeSpan config " + w));
        if (r.warningCount() > LOGGED_PROBLEMS) {
            log.warn("KubeSpan config " + sourceName + ": and " + (r.warningCount() - LOGGED_PROBLEMS)
                    + " more warnings (kubespan:config-status lists the first " + r.warnings().size() + ")");
        }
        if (!config.hasIdentity() && !Boolean.FALSE.equals(lastHadIdentity)) {
            log.info("KubeSpan stays off until a cluster id and secret are configured"
                    + " (a DiscoveryIdentityConfig document in " + sourceName
                    + "; run `bin/kubespan gen-config` for a new one)");
        }
        lastHadIdentity = config.hasIdentity();
        lastApplied = r;
        lastResult = r;
    }

    /** The first {@link #LOGGED_PROBLEMS} problems in one line, then how many more there are. */
    private static String describe(List<ConfigProblem> problems, int total) {
        String listed = problems.stream().limit(LOGGED_PROBLEMS).map(p -> (p.path().isEmpty() ? "" : p.path())
                + (p.line() > 0 ? " (line " + p.line() + ")" : "") + (p.path().isEmpty() && p.line() <= 0 ? "" : ": ")
                + p.reason()).collect(Collectors.joining("; "));
        int more = total - Math.min(problems.size(), LOGGED_PROBLEMS);
        return more <= 0 ? listed
                : listed + "; and " + more + " more (kubespan:config-status lists the first " + problems.size() + ")";
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void closeWatch() {
        if (watch != null) {
            watch.close();
            watch = null;
            watchedFile = null;
        }
    }

    @Override
    public void close() {
        synchronized (watchLock) {
            closeWatch();
        }
        loop.close();
    }
}
