package dev.kubespan.config.internal;

import static dev.kubespan.config.internal.Fixtures.IDENTITY_DOC;
import static dev.kubespan.config.internal.Fixtures.SECRET;
import static dev.kubespan.config.internal.Fixtures.assertNoSecret;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.config.ConfigGenerator;
import dev.kubespan.config.ConfigProblem;
import dev.kubespan.config.LoadResult;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.test.TestStore;

/** The controller against real files in a temporary directory, with real directory watching. */
public class ConfigControllerTest {
    private static final long TIMEOUT_MILLIS = 20_000;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final TestStore store = new TestStore();
    private final RecordingLog log = new RecordingLog();
    private ConfigController controller;
    private Path file;

    @Before
    public void setUp() throws Exception {
        file = tmp.newFolder("etc").toPath().resolve("kubespan.yaml");
        controller = new ConfigController(store, log, Clock.systemUTC());
    }

    @After
    public void tearDown() {
        controller.close();
    }

    private static String config(int mtu) {
        return IDENTITY_DOC + """
                ---
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                enabled: true
                mtu: %d
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: embedded
                endpoint: http://127.0.0.1:3000/
                """.formatted(mtu);
    }

    private Optional<Resource<KubeSpanConfig>> kubeSpan() {
        return store.get(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
    }

    private Optional<Resource<DiscoveryConfig>> discovery() {
        return store.get(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Waits for a load result other than {@code previous} and returns it. */
    private LoadResult nextResult(LoadResult previous) throws InterruptedException {
        await("a new load result", () -> controller.lastResult() != previous);
        return controller.lastResult();
    }

    /** Starts reading {@code file} and waits for the first, successful load. */
    private LoadResult load() throws InterruptedException {
        LoadResult before = controller.lastResult();
        controller.useFile(file);
        LoadResult r = nextResult(before);
        assertTrue(r.toString(), r.ok());
        return r;
    }

    @Test
    public void aValidConfigTheStoreRefusesIsReportedWithItsCauseAndPublishedByTheNextLoad() throws Exception {
        Files.writeString(file, config(1400));
        load();
        store.failWrites(new IllegalStateException("the store refuses writes"));
        LoadResult refused = controller.reload();
        assertFalse(refused.toString(), refused.ok());
        assertTrue(refused.errors().toString(), refused.errors().get(0).reason()
                .equals("cannot publish: java.lang.IllegalStateException: the store refuses writes"));
        String logged = log.at("ERROR").get(log.at("ERROR").size() - 1);
        assertTrue(logged, logged.contains("is valid but could not be published")
                && logged.endsWith("[cause: IllegalStateException: the store refuses writes]"));
        assertEquals(1400, kubeSpan().orElseThrow().spec().mtu());

        store.failWrites(null);
        Files.writeString(file, config(1380));
        assertTrue(controller.reload().ok());
        assertEquals(1380, kubeSpan().orElseThrow().spec().mtu());
        assertNoSecret(log.lines());
    }

    @Test
    public void editsAreAppliedAtOnceAndBadEditsAreRejectedKeepingTheLastGoodConfig() throws Exception {
        Files.writeString(file, config(1400));
        LoadResult before = controller.lastResult();
        controller.useFile(file);
        LoadResult first = nextResult(before);
        assertTrue(first.toString(), first.ok());
        assertEquals(file.toString(), first.source());
        assertEquals(1400, kubeSpan().orElseThrow().spec().mtu());
        assertEquals(List.of("127.0.0.1:3000"),
                discovery().orElseThrow().spec().serviceEndpoints().stream().map(e -> e.endpoint()).toList());

        Files.writeString(file, config(1380));
        LoadResult good = nextResult(first);
        assertTrue(good.ok());
        assertEquals(1380, kubeSpan().orElseThrow().spec().mtu());
        long ksVersion = kubeSpan().orElseThrow().version();
        long dcVersion = discovery().orElseThrow().version();
        int writes = store.writes();
        int errorsLogged = log.at("ERROR").size();

        Files.writeString(file, config(1000));
        LoadResult rejected = nextResult(good);
        assertFalse(rejected.ok());
        assertEquals(1, rejected.errors().size());
        ConfigProblem p = rejected.errors().get(0);
        assertEquals(file.toString(), p.source());
        assertEquals("KubeSpanConfig.mtu", p.path());
        assertTrue(p.reason(), p.reason().contains("below the minimum 1280"));
        assertEquals("one error line per rejected edit", errorsLogged + 1, log.at("ERROR").size());
        String logged = log.at("ERROR").get(log.at("ERROR").size() - 1);
        assertTrue(logged, logged.contains(file.toString()) && logged.contains("KubeSpanConfig.mtu")
                && logged.contains("below the minimum 1280") && logged.contains("last good config stays in force"));
        assertEquals("nothing published", writes, store.writes());
        assertEquals(ksVersion, kubeSpan().orElseThrow().version());
        assertEquals(1380, kubeSpan().orElseThrow().spec().mtu());
        assertEquals(dcVersion, discovery().orElseThrow().version());
        assertEquals(good, controller.lastApplied().orElseThrow());

        Files.writeString(file, "apiVersion: v1alpha1\nkind: KubeSpanConfig\nclusterSecret: " + SECRET + ": oops\n");
        LoadResult broken = nextResult(rejected);
        assertFalse(broken.ok());
        assertTrue(broken.errors().toString(), broken.errors().get(0).reason().startsWith("invalid YAML"));
        assertEquals(writes, store.writes());

        Files.writeString(file, config(1440));
        assertTrue(nextResult(broken).ok());
        assertEquals(1440, kubeSpan().orElseThrow().spec().mtu());
        assertNoSecret(log.lines());
        assertNoSecret(controller.lastResult());
        assertNoSecret(broken);
    }

    /**
     * 160,000 bad list items (a 2.7 MB file): rejected like any bad edit, but what is kept, logged
     * and shown stays small: the first errors, then how many more.
     */
    @Test
    public void aFileWithHundredsOfThousandsOfErrorsIsRejectedWithABoundedReport() throws Exception {
        Files.writeString(file, config(1400));
        LoadResult good = load();
        int writes = store.writes();
        int errorsLogged = log.at("ERROR").size();
        StringBuilder flood = new StringBuilder(IDENTITY_DOC).append("""
                ---
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                enabled: true
                filters:
                  endpoints:
                """);
        int bad = 160_000;
        for (int i = 0; i < bad; i++) {
            flood.append("  - 1.2.3.4/99\n");
        }
        Files.writeString(file, flood);

        LoadResult rejected = nextResult(good);
        assertFalse(rejected.ok());
        assertEquals(LoadResult.MAX_LISTED, rejected.errors().size());
        assertEquals(bad - LoadResult.MAX_LISTED, rejected.omittedErrors());
        assertEquals(bad, rejected.errorCount());
        assertEquals("KubeSpanConfig.filters.endpoints[0]", rejected.errors().get(0).path());
        assertEquals("KubeSpanConfig.filters.endpoints[99]", rejected.errors().get(99).path());
        String shown = rejected.toString();
        assertTrue(shown.lines().findFirst().orElseThrow(), shown.startsWith("rejected: ")
                && shown.lines().findFirst().orElseThrow().contains("(160000 errors;"));
        assertTrue(shown, shown.contains("\n  ... and 159900 more errors (only the first 100 are listed)"));
        assertTrue("at most 100 problem lines, got " + shown.lines().count(), shown.lines().count() <= 102);

        assertEquals("one error line", errorsLogged + 1, log.at("ERROR").size());
        String logged = log.at("ERROR").get(log.at("ERROR").size() - 1);
        assertTrue("log line of " + logged.length() + " characters", logged.length() < 4096);
        assertTrue(logged, logged.contains("160000 errors: KubeSpanConfig.filters.endpoints[0] (line ")
                && logged.contains("; and 159990 more (kubespan:config-status lists the first 100)"));
        assertEquals("nothing published", writes, store.writes());
        assertEquals(1400, kubeSpan().orElseThrow().spec().mtu());
        assertEquals(good, controller.lastApplied().orElseThrow());
    }

    @Test
    public void aFileOfMoreThanFourMebibytesIsRejectedUnread() throws Exception {
        Files.writeString(file, config(1400));
        LoadResult good = load();
        byte[] huge = new byte[ConfigController.MAX_FILE_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) '#');
        Files.write(file, huge);
        LoadResult rejected = nextResult(good);
        assertFalse(rejected.ok());
        assertEquals(List.of(new ConfigProblem(file.toString(), "", 0,
                "the file is larger than 4 MiB; a KubeSpan config is a few kilobytes")), rejected.errors());
        assertEquals(1400, kubeSpan().orElseThrow().spec().mtu());
    }

    /**
     * A megabyte-long value and a key as long as YAML allows (1024 characters): each problem keeps
     * the start of what it quotes and says how much was cut.
     */
    @Test
    public void aHugeKeyOrValueIsQuotedOnlyInPart() throws Exception {
        Files.writeString(file, config(1400));
        LoadResult good = load();
        String longKey = "k".repeat(1000);
        String longValue = "v".repeat(1 << 20);
        Files.writeString(file, config(1400) + """
                ---
                apiVersion: v1alpha1
                kind: KubeSpanEndpointsConfig
                extraAnnouncedEndpoints: ["%s"]
                %s: 1
                """.formatted(longValue, longKey));
        LoadResult rejected = nextResult(good);
        assertFalse(rejected.ok());
        assertEquals(rejected.toString(), 2, rejected.errors().size());
        for (ConfigProblem p : rejected.errors()) {
            assertTrue(p.path().length() + " " + p.reason().length(),
                    p.path().length() <= ConfigProblem.MAX_PATH_CHARS + 40
                            && p.reason().length() <= ConfigProblem.MAX_REASON_CHARS + 40);
        }
        assertTrue(rejected.toString(), rejected.toString().contains(" more characters)"));
        assertTrue(log.at("ERROR").get(log.at("ERROR").size() - 1).length() < 4096);
    }

    @Test
    public void atomicReplaceByRenameIsPickedUp() throws Exception {
        Files.writeString(file, config(1400));
        LoadResult first = load();
        ConfigGenerator.writePrivate(file, config(1300), true);
        assertTrue(nextResult(first).ok());
        assertEquals(1300, kubeSpan().orElseThrow().spec().mtu());
    }

    @Test
    public void withoutIdentityKubeSpanConfigIsRemovedAndTheLogSaysWhyOnce() throws Exception {
        // Left by an earlier run of this controller (the store keeps resources across bundle updates).
        store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                KubeSpanConfig.builder().enabled(true).clusterId("x").sharedSecret(SECRET).forceRouting(true).build(),
                ConfigController.NAME);
        String noIdentity = """
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                enabled: true
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: embedded
                endpoint: http://127.0.0.1:3000/
                """;
        Files.writeString(file, noIdentity);
        LoadResult before = controller.lastResult();
        controller.useFile(file);
        assertTrue(nextResult(before).ok());
        assertFalse(kubeSpan().isPresent());
        assertTrue(discovery().orElseThrow().spec().discoveryEnabled());
        assertEquals("", discovery().orElseThrow().spec().serviceClusterID());
        long staysOff = log.at("INFO").stream().filter(l -> l.contains("KubeSpan stays off until a cluster id and secret"
                + " are configured")).count();
        assertEquals(1, staysOff);

        LoadResult first = controller.lastResult();
        Files.writeString(file, noIdentity.replace("enabled: true", "enabled: false"));
        assertTrue(nextResult(first).ok());
        assertEquals("said once, not on every load", 1,
                log.at("INFO").stream().filter(l -> l.contains("KubeSpan stays off")).count());

        LoadResult second = controller.lastResult();
        Files.writeString(file, config(1400));
        assertTrue(nextResult(second).ok());
        assertTrue(kubeSpan().isPresent());
    }

    @Test
    public void anEmptyFileIsRejectedSoThatATruncatingSaveCannotSwitchKubeSpanOff() throws Exception {
        Files.writeString(file, config(1400));
        LoadResult good = load();
        int writes = store.writes();
        Files.write(file, new byte[0]);
        LoadResult r = nextResult(good);
        assertFalse(r.ok());
        assertEquals("the file is empty", r.errors().get(0).reason());
        assertEquals(writes, store.writes());
        assertTrue(kubeSpan().isPresent());
    }

    @Test
    public void aMissingFileIsRejectedAndPublishesNothing() throws Exception {
        LoadResult before = controller.lastResult();
        controller.useFile(file);
        LoadResult r = nextResult(before);
        assertFalse(r.ok());
        assertEquals("file not found", r.errors().get(0).reason());
        assertEquals(0, store.writes());
        assertTrue(controller.lastApplied().isEmpty());

        Files.writeString(file, config(1400));
        assertTrue(nextResult(r).ok());
        assertTrue(kubeSpan().isPresent());
    }

    @Test
    public void configAdminSourceIsAppliedAndValidatedTheSameWay() throws Exception {
        Files.writeString(file, config(1400));
        load();

        Map<String, Object> props = new HashMap<>();
        props.put("source", "configadmin");
        props.put("kubespan.enabled", true);
        props.put("kubespan.mtu", 1300);
        props.put("cluster.id", Fixtures.CLUSTER_ID);
        props.put("cluster.secret", SECRET);
        props.put("discovery.endpoints", new String[] { "https://discovery.example.org/" });
        LoadResult fromFile = controller.lastResult();
        controller.useConfigAdmin(props);
        LoadResult r = nextResult(fromFile);
        assertTrue(r.toString(), r.ok());
        assertEquals("configadmin:dev.kubespan.config", r.source());
        assertEquals(1300, kubeSpan().orElseThrow().spec().mtu());
        assertEquals("discovery.example.org:443",
                discovery().orElseThrow().spec().serviceEndpoints().get(0).endpoint());

        // The file is no longer watched.
        Files.writeString(file, config(1500));
        Thread.sleep(3 * ConfigController.POLL_INTERVAL.toMillis());
        assertEquals(1300, kubeSpan().orElseThrow().spec().mtu());

        int writes = store.writes();
        props.put("kubespan.mtu", 900);
        controller.useConfigAdmin(props);
        LoadResult rejected = nextResult(r);
        assertFalse(rejected.ok());
        assertEquals("kubespan.mtu", rejected.errors().get(0).path());
        assertEquals(writes, store.writes());
        assertEquals(1300, kubeSpan().orElseThrow().spec().mtu());
    }

    @Test
    public void reloadLoadsAgainAndReturnsTheResult() throws Exception {
        Files.writeString(file, config(1400));
        LoadResult first = load();
        LoadResult again = controller.reload();
        assertNotSame(first, again);
        assertTrue(again.ok());
    }

    @Test
    public void aRestartRewritesTheSameSpecsWithoutNewVersions() throws Exception {
        Files.writeString(file, config(1400));
        load();
        long version = kubeSpan().orElseThrow().version();
        controller.close();

        controller = new ConfigController(store, log, Clock.systemUTC());
        LoadResult before = controller.lastResult();
        controller.useFile(file);
        assertTrue(nextResult(before).ok());
        assertEquals(version, kubeSpan().orElseThrow().version());
    }
}
