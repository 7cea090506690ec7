package dev.kubespan.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.kubespan.config.ConfigGenerator;
import dev.kubespan.config.ConfigStatus;
import dev.kubespan.config.LoadResult;

/**
 * {@code kubespan:gen-config} and {@code kubespan:config-status}, thin wrappers over the config
 * bundle. The component needs the {@link ConfigStatus} service, so both commands exist exactly
 * when the config bundle runs; the config package is imported optionally, so the shell still
 * resolves (with the resource commands) where there is no config bundle.
 *
 * <p>A hyphenated function name is not a Java method name: Gogo then calls {@code _main} with
 * the function name as the first argument.
 */
@Component(service = ConfigCommands.class, property = {
        "osgi.command.scope=kubespan",
        "osgi.command.function=gen-config",
        "osgi.command.function=config-status" })
public final class ConfigCommands {
    static final String CONFIG_STATUS_USAGE = "usage: kubespan:config-status [--reload]\n"
            + "  Shows the result of the last configuration load (and the last one applied, if that was earlier).\n"
            + "  --reload   re-read the configuration now";

    private final ConfigStatus status;

    @Activate
    public ConfigCommands(@Reference ConfigStatus status) {
        this.status = status;
    }

    @Descriptor("gen-config [--with-kubespan] [--discovery-endpoint URL] [-o FILE [--force]]: a new machine config "
            + "with a fresh cluster ID and secret; config-status [--reload]: the last configuration load")
    public String _main(String... argv) {
        if (argv.length == 0) {
            throw new IllegalArgumentException("no command");
        }
        String[] args = Arrays.copyOfRange(argv, 1, argv.length);
        return switch (argv[0]) {
            case "gen-config" -> genConfig(args);
            case "config-status" -> configStatus(args);
            default -> throw new IllegalArgumentException("unknown command " + argv[0]);
        };
    }

    /**
     * Runs the generator's own command line; its output (the config, or a usage text) is the
     * result, and a non-zero exit becomes an {@link IllegalArgumentException} with its message.
     */
    static String genConfig(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = ConfigGenerator.run(args, o, e);
        }
        if (code != 0) {
            throw new IllegalArgumentException(err.toString(StandardCharsets.UTF_8).strip());
        }
        String text = out.toString(StandardCharsets.UTF_8).stripTrailing();
        return text.isEmpty() ? null : text;
    }

    String configStatus(String... args) {
        boolean reload = false;
        for (String a : args) {
            switch (a) {
                case "--reload" -> reload = true;
                case "-h", "--help" -> {
                    return CONFIG_STATUS_USAGE;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'\n" + CONFIG_STATUS_USAGE);
            }
        }
        LoadResult last = reload ? status.reload() : status.lastResult();
        StringBuilder sb = new StringBuilder();
        sb.append("source: ").append(status.sourceKind());
        if ("file".equals(status.sourceKind())) {
            sb.append(' ').append(status.configFile());
        }
        sb.append("\nlast load: ").append(last);
        status.lastApplied().filter(applied -> !applied.equals(last))
                .ifPresent(applied -> sb.append("\nin force since: ").append(applied.time())
                        .append(" (").append(applied.source()).append(')'));
        if (!last.ok() && status.lastApplied().isEmpty()) {
            sb.append("\nno configuration has been accepted since the config bundle started");
        }
        return sb.toString();
    }
}
