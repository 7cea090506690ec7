package dev.kubespan.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.OwnershipException;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;

/** The foundation as an operator meets it: bundles, identity, immediate-mode config, shell. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FoundationIT extends ItestSupport {
    static final String NAME = "foundation";
    // docs/kubespan-node.md §3.3, vector 2
    static final String CLUSTER_ID = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=";
    static final String MAC = "00:00:5e:00:53:01";
    static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    static String yaml(int mtu) {
        return """
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                enabled: true
                mtu: %d
                ---
                apiVersion: v1alpha1
                kind: DiscoveryIdentityConfig
                clusterID: %s
                clusterSecret: %s
                ---
                apiVersion: v1alpha1
                kind: DiscoveryServiceConfig
                name: local
                endpoint: http://127.0.0.1:3000/
                """.formatted(mtu, CLUSTER_ID, SECRET);
    }

    @Inject
    ResourceStore store;

    @Inject
    ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        // The only Ethernet-type links of this namespace: the identity must pick ks0's MAC.
        run("ip", "link", "add", "ks0", "address", MAC, "type", "veth", "peer", "name", "ks1", "address",
                "02:00:5e:00:53:02");
        return runtime(NAME, yaml(1420));
    }

    @Test
    public void everyBundleIsActiveAndEveryComponentSatisfied() {
        List<String> problems = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            // slf4j-simple is pax-exam's logging backend, provisioned unstarted on purpose
            if (!fragment && b.getState() != Bundle.ACTIVE && !"slf4j.simple".equals(b.getSymbolicName())) {
                problems.add(b.getSymbolicName() + " is in state " + b.getState());
            }
            if (b.getSymbolicName().startsWith("dev.kubespan.")) {
                for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                    if (!scr.isComponentEnabled(d)) {
                        problems.add(d.name + " is disabled");
                        continue;
                    }
                    var configs = scr.getComponentConfigurationDTOs(d);
                    if (configs.isEmpty()) {
                        problems.add(d.name + " has no configuration (missing required config?)");
                    }
                    for (ComponentConfigurationDTO c : configs) {
                        if (c.state != ComponentConfigurationDTO.ACTIVE && c.state != ComponentConfigurationDTO.SATISFIED) {
                            problems.add(d.name + " is in state " + c.state + " " + List.of(c.unsatisfiedReferences));
                        }
                    }
                }
            }
        }
        assertEquals("bundles/components not running", List.of(), problems);
    }

    @Test
    public void identityHasTheUlaOfTheConfiguredClusterId() {
        Resource<KubeSpanIdentity> id = awaitIdentity();
        assertEquals("fd62:679f:48cb:8002::/64", id.spec().subnet().toString());
        assertEquals("fd62:679f:48cb:8002:200:5eff:fe00:5301/128", id.spec().address().toString());
        assertEquals(44, id.spec().publicKey().toBase64().length());
    }

    @Test
    public void editingTheYamlChangesTheConfigWithoutRestartAndABrokenEditChangesNothing() throws Exception {
        var file = home(NAME).resolve("etc/kubespan.yaml");
        Files.writeString(file, yaml(1400));
        await("mtu 1400", Duration.ofSeconds(20), () -> kubeSpanConfig().filter(c -> c.spec().mtu() == 1400));
        long version = kubeSpanConfig().orElseThrow().version();
        Files.writeString(file, yaml(1000));
        // Give the watcher far longer than it needs to (wrongly) apply the edit.
        Thread.sleep(5000);
        Resource<KubeSpanConfig> after = kubeSpanConfig().orElseThrow();
        assertEquals(1400, after.spec().mtu());
        assertEquals(version, after.version());
        Files.writeString(file, yaml(1420));
        await("mtu 1420", Duration.ofSeconds(20), () -> kubeSpanConfig().filter(c -> c.spec().mtu() == 1420));
    }

    @Test
    public void updatingTheIdentityBundleKeepsTheKey() throws Exception {
        String before = awaitIdentity().spec().publicKey().toBase64();
        Bundle identity = bundle("dev.kubespan.identity");
        // While its controller runs, the identity is written by it alone.
        OwnershipException refused = assertThrows(OwnershipException.class,
                () -> store.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID, NAME));
        assertTrue(refused.getMessage(), refused.getMessage().contains("dev.kubespan.identity/kubespan-identity"));
        // The store outlives the bundle; remove the resource (the stopped controller's claim is
        // withdrawn) so only the updated bundle's new component instance can bring it back, from
        // the identity file.
        identity.stop();
        store.delete(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID, NAME);
        identity.update();
        identity.start();
        assertEquals(Bundle.ACTIVE, identity.getState());
        assertEquals(before, awaitIdentity().spec().publicKey().toBase64());
    }

    @Test
    public void shellShowsTheIdentityAsYamlWithThePrivateKeyRedacted() throws Exception {
        Resource<KubeSpanIdentity> id = awaitIdentity();
        String out = gogo("kubespan:get ksi -o yaml");
        assertTrue(out, out.contains("address: " + id.spec().address()));
        assertTrue(out, out.contains("subnet: " + id.spec().subnet()));
        assertTrue(out, out.contains("publicKey: " + id.spec().publicKey().toBase64()));
        assertTrue(out, out.contains("privateKey: <redacted>"));
        assertFalse(out, out.contains(id.spec().privateKey().toBase64()));
        String table = gogo("kubespan:identities");
        assertTrue(table, table.contains("NAMESPACE") && table.contains("KubeSpanIdentity")
                && table.contains(id.spec().address().toString()));
    }

    private Optional<Resource<KubeSpanConfig>> kubeSpanConfig() {
        return store.get(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID);
    }

    private Resource<KubeSpanIdentity> awaitIdentity() {
        return await("KubeSpanIdentity", Duration.ofSeconds(30),
                () -> store.get(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID));
    }

    private Bundle bundle(String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(bsn + " not installed");
    }

    /** Runs a Gogo command line and returns what it printed plus its formatted result. */
    String gogo(String line) throws Exception {
        ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
        CommandProcessor cp = context.getService(ref);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try (CommandSession s = cp.createSession(new java.io.ByteArrayInputStream(new byte[0]), out, out)) {
            Object result = s.execute(line);
            if (result != null) {
                out.println(s.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        } finally {
            context.ungetService(ref);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
