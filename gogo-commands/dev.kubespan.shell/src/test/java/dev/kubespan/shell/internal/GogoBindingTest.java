package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Job;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.test.TestStore;

/**
 * The commands registered in a real Gogo command processor, as the OSGi whiteboard does with
 * the component's osgi.command.* properties: proves the option/overload binding and Ctrl-C.
 */
public class GogoBindingTest {
    /** Every command name users have (the component's osgi.command.function values). */
    private static final List<String> FUNCTIONS = List.of("get", "identities", "peerspecs", "peerstatuses",
            "endpoints", "members", "affiliates");

    private CommandProcessorImpl processor;
    private CommandSession session;
    private ByteArrayOutputStream out;
    private TestStore store;

    @Before
    public void setUp() {
        processor = TestGogo.processor();
        store = Fixtures.store();
        ResourceCommands commands = new ResourceCommands(store);
        for (String f : FUNCTIONS) {
            processor.addCommand("kubespan", commands, f);
        }
        processor.addConverter(new ResourceConverter()); // as Gogo's whiteboard adds Converter services
        out = new ByteArrayOutputStream();
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream());
    }

    @After
    public void tearDown() {
        session.close();
        processor.stop();
    }

    @Test
    public void optionsAndOverloadsBind() throws Exception {
        assertEquals(ResourceConverter.render(ResourceList.find(store, ResourceTypes.KUBESPAN_IDENTITY, List.of(), null, OutputFormat.YAML, true)),
                shown("kubespan:get ksi -o yaml --show-secrets"));
        String one = shown("kubespan:get -n cluster-raw affiliates service/nodeA");
        assertEquals(2, one.split("\n").length);
        assertTrue(one, one.contains("cluster-raw   Affiliate   service/nodeA"));
        String json = shown("kubespan:identities -o json");
        assertTrue(json, json.contains("\"privateKey\": \"<redacted>\""));
        assertTrue(shown("kubespan:affiliates").contains("cluster-raw"));
        assertTrue(shown("kubespan:peerspecs --output yaml").contains("label: cp1"));
    }

    @Test
    public void everyCommandNameListsItsType() throws Exception {
        for (ResourceCommands.Shortcut s : ResourceCommands.SHORTCUTS) {
            assertTrue(s.name(), FUNCTIONS.contains(s.name()));
            String namespaces = s.namespaces().size() == 1 ? " -n " + s.namespaces().get(0) : "";
            for (String options : List.of("", " -o yaml", " -o json --show-secrets", " --show-secrets --output json")) {
                String viaGet = "kubespan:get" + namespaces + options + " " + s.type().name();
                assertEquals(s.name() + options, shown(viaGet), shown("kubespan:" + s.name() + options));
            }
        }
        assertEquals("one shortcut per command name but get", FUNCTIONS.size() - 1, ResourceCommands.SHORTCUTS.size());
        assertEquals("options may follow the shortcut in any order", shown("kubespan:identities -o json --show-secrets"),
                shown("kubespan:identities --show-secrets -o json"));
    }

    @Test
    public void everyTypeNameAliasAndQualifiedNameResolves() throws Exception {
        for (ResourceType<?> t : ResourceTypes.all()) {
            String expected = shown("kubespan:get -o yaml " + t.name());
            List<String> words = new ArrayList<>(t.aliases());
            words.add(t.qualifiedName());
            words.add(t.name().toUpperCase(Locale.ROOT));
            for (String word : words) {
                assertEquals(word, expected, shown("kubespan:get -o yaml " + word));
            }
        }
    }

    @Test
    public void resultsAreResourcesAScriptCanKeep() throws Exception {
        session.execute("specs = kubespan:get ksps");
        assertEquals(2, session.execute("$specs size"));
        Object resources = session.execute("$specs resources");
        assertTrue(String.valueOf(resources), resources instanceof List<?> l && l.size() == 2);
        assertTrue(shown("$specs").startsWith("NAMESPACE   TYPE               ID"));
        // a lone resource prints as its document, secrets redacted
        session.execute("ids = kubespan:get ksi --show-secrets");
        String one = (String) session.format(((List<?>) session.execute("$ids resources")).get(0), Converter.INSPECT);
        assertTrue(one, one.startsWith("metadata:\n    namespace: kubespan\n") && one.contains("privateKey: <redacted>"));
    }

    @Test
    public void shortcutOptionsAreChecked() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> session.execute("kubespan:peerspecs -n kubespan"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("kubespan:peerspecs takes no '-n', 'kubespan'"));
        e = assertThrows(IllegalArgumentException.class, () -> session.execute("kubespan:members -o"));
        assertEquals("-o needs a value: table, yaml or json", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> session.execute("kubespan:members -o xml"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("unknown output format 'xml'"));
    }

    @Test
    public void errorsReachTheUser() throws Exception {
        try {
            session.execute("kubespan:get pods");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("unknown resource type 'pods'; known types:"));
        }
        try {
            session.execute("kubespan:get");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("usage: kubespan:get"));
        }
    }

    @Test
    public void watchPrintsEventsUntilTheJobIsInterrupted() throws Exception {
        AtomicReference<Object> result = new AtomicReference<>("not returned");
        Thread shell = new Thread(() -> {
            try {
                result.set(session.execute("kubespan:get -w identity"));
            } catch (Exception e) {
                result.set(e);
            }
        });
        shell.start();
        awaitOutput("+   cluster");
        store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "local", new NodeIdentity("changed"), "test");
        awaitOutput("*   cluster");
        store.delete(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, "local", "test");
        awaitOutput("-   cluster");

        List<Job> jobs = session.jobs();
        assertEquals(1, jobs.size());
        jobs.get(0).interrupt(); // what Ctrl-C does
        shell.join(Duration.ofSeconds(10).toMillis());
        assertFalse("the job did not end", shell.isAlive());
        // Gogo's job controller reports a cancelled job as InterruptedException on its own; the
        // command's part is to stop printing and close its store watch.
        Object r = result.get();
        assertTrue(String.valueOf(r), r == null || r instanceof InterruptedException);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.openWatches() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals("the store watch was not closed", 0, store.openWatches());
        assertEquals(String.join("\n",
                "*   NAMESPACE   TYPE       ID      VERSION   ID",
                "+   cluster     Identity   local   1         7x3k",
                "*   cluster     Identity   local   2         changed",
                "-   cluster     Identity   local   2         changed", ""), text());
    }

    /** What the shell prints for the line (the formatted result), or null for no result. */
    private String shown(String line) throws Exception {
        Object result = session.execute(line);
        return result == null ? null : session.format(result, Converter.INSPECT).toString();
    }

    private String text() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private void awaitOutput(String needle) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!text().contains(needle)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + needle + "' in output:\n" + text());
            }
            Thread.sleep(10);
        }
    }
}
