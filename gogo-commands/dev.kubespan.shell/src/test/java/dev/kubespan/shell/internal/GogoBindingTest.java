package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Job;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.NodeIdentity;

/**
 * The commands registered in a real Gogo command processor, as the OSGi whiteboard does with
 * the component's osgi.command.* properties: proves the option/overload binding and Ctrl-C.
 */
public class GogoBindingTest {
    private static final List<String> FUNCTIONS = List.of("get", "identities", "peerspecs", "peerstatuses",
            "endpoints", "members", "affiliates");

    private CommandProcessorImpl processor;
    private CommandSession session;
    private ByteArrayOutputStream out;
    private WatchCountingStore store;

    @Before
    public void setUp() {
        processor = TestGogo.processor();
        store = Fixtures.store();
        ResourceCommands commands = new ResourceCommands(store);
        for (String f : FUNCTIONS) {
            processor.addCommand("kubespan", commands, f);
        }
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
        assertEquals(ResourceOutput.render(ResourceTypes.KUBESPAN_IDENTITY,
                ResourceOutput.find(store, ResourceTypes.KUBESPAN_IDENTITY, List.of(), null), OutputFormat.YAML, true),
                session.execute("kubespan:get ksi -o yaml --show-secrets"));
        String one = (String) session.execute("kubespan:get -n cluster-raw affiliates service/nodeA");
        assertEquals(2, one.split("\n").length);
        assertTrue(one, one.contains("cluster-raw   Affiliate   service/nodeA"));
        String json = (String) session.execute("kubespan:identities -o json");
        assertTrue(json, json.contains("\"privateKey\": \"<redacted>\""));
        assertTrue(((String) session.execute("kubespan:affiliates")).contains("cluster-raw"));
        assertTrue(((String) session.execute("kubespan:peerspecs --output yaml")).contains("label: cp1"));
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
