package dev.kubespan.discovery.kubernetes.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class KubeConfigFileTest {
    private static final TestPki PKI = new TestPki();
    private static final URI SERVER = URI.create("https://127.0.0.1:6443");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file(String name) {
        return tmp.getRoot().toPath().resolve(name);
    }

    private static String errorOf(ThrowingLoad load) {
        try {
            load.run();
            fail("expected an error");
            return null;
        } catch (ClusterAccessException e) {
            return e.getMessage();
        }
    }

    private interface ThrowingLoad {
        void run() throws ClusterAccessException;
    }

    @Test
    public void usesTheCurrentContextsClusterAndToken() throws Exception {
        Path f = Kubeconfigs.write(file("kubeconfig"), SERVER, PKI.ca.certificatePem(), Kubeconfigs.token("s3cret"));
        ClusterAccess a = KubeConfigFile.load(f);
        assertEquals(SERVER, a.server());
        assertEquals(java.util.List.of(PKI.ca.certificate()), a.certificateAuthorities());
        assertEquals("s3cret", a.bearerToken().orElseThrow());
        assertEquals(f.toString(), a.source());
        assertFalse("toString never shows the token", a.toString().contains("s3cret"));
    }

    @Test
    public void readsInlineClientCertificates() throws Exception {
        TestPki.Issued c = PKI.client("system:node:a", "EC");
        Path f = Kubeconfigs.write(file("kubeconfig"), SERVER, PKI.ca.certificatePem(),
                Kubeconfigs.certificateData(c.certificatePem(), c.traditionalPem()));
        ClusterAccess a = KubeConfigFile.load(f);
        ClusterAccess.ClientCertificate cc = (ClusterAccess.ClientCertificate) a.credentials();
        assertEquals(c.certificate(), cc.chain().get(0));
        assertTrue(a.bearerToken().isEmpty());
        assertFalse(a.toString().contains("PRIVATE"));
        a.sslContext(); // the key and chain make a usable key store
    }

    @Test
    public void resolvesFileReferencesAgainstTheKubeconfigFolder() throws Exception {
        TestPki.Issued c = PKI.client("system:node:b", "RSA");
        Path dir = tmp.newFolder("kube").toPath();
        Files.writeString(dir.resolve("ca.crt"), PKI.ca.certificatePem());
        Files.writeString(dir.resolve("client.crt"), c.certificatePem());
        Files.writeString(dir.resolve("client.key"), c.traditionalPem());
        Files.writeString(dir.resolve("token"), "file-token\n");
        String yaml = "clusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443/prefix/\n"
                + "    certificate-authority: ca.crt\n"
                + "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
                + "users:\n- name: u\n  user:\n    client-certificate: client.crt\n    client-key: client.key\n"
                + "- name: t\n  user:\n    tokenFile: token\n";
        Path f = dir.resolve("config");
        Files.writeString(f, yaml);
        ClusterAccess a = KubeConfigFile.load(f);
        assertEquals("the single context is used without current-context", URI.create("https://127.0.0.1:6443/prefix/"),
                a.server());
        assertEquals(c.certificate(), ((ClusterAccess.ClientCertificate) a.credentials()).chain().get(0));

        Files.writeString(f, yaml.replace("user: u}", "user: t}"));
        ClusterAccess t = KubeConfigFile.load(f);
        assertEquals(new ClusterAccess.TokenFile(dir.resolve("token")), t.credentials());
        assertEquals("file-token", t.bearerToken().orElseThrow());
    }

    @Test
    public void namesWhatIsWrong() throws Exception {
        Path missing = file("nope");
        assertEquals("kubeconfig " + missing + " does not exist", errorOf(() -> KubeConfigFile.load(missing)));

        Path f = file("bad");
        Files.writeString(f, "clusters: [\n");
        assertTrue(errorOf(() -> KubeConfigFile.load(f)).contains("is not valid YAML"));

        Kubeconfigs.write(f, SERVER, PKI.ca.certificatePem(),
                "    exec:\n      command: aws\n      apiVersion: client.authentication.k8s.io/v1\n");
        String exec = errorOf(() -> KubeConfigFile.load(f));
        assertTrue(exec, exec.contains("user 'node'") && exec.contains("'exec' authentication is not supported"));

        Files.writeString(f, Files.readString(Kubeconfigs.write(f, SERVER, PKI.ca.certificatePem(),
                Kubeconfigs.token("t"))).replace("current-context: node@test", "current-context: gone"));
        assertTrue(errorOf(() -> KubeConfigFile.load(f)).contains("context 'gone' is not defined"));

        Kubeconfigs.write(f, URI.create("http://127.0.0.1:8080"), PKI.ca.certificatePem(), Kubeconfigs.token("t"));
        assertTrue(errorOf(() -> KubeConfigFile.load(f)).contains("is not an https:// URL"));

        Files.writeString(f, Files.readString(Kubeconfigs.write(f, SERVER, PKI.ca.certificatePem(),
                Kubeconfigs.token("t"))).replace("    certificate-authority-data:", "    insecure-skip-tls-verify: true\n"
                        + "    certificate-authority-data:"));
        assertTrue(errorOf(() -> KubeConfigFile.load(f)).contains("insecure-skip-tls-verify is not supported"));

        TestPki.Issued c = PKI.client("half", "EC");
        Kubeconfigs.write(f, SERVER, PKI.ca.certificatePem(),
                "    client-certificate-data: " + Kubeconfigs.b64(c.certificatePem()) + "\n");
        assertTrue(errorOf(() -> KubeConfigFile.load(f)).contains("must be given together"));
    }

    @Test
    public void locatesTheConfigurationInTheDocumentedOrder() throws Exception {
        Path home = tmp.newFolder("home").toPath();
        Path sa = tmp.newFolder("sa").toPath();
        Files.writeString(sa.resolve("ca.crt"), PKI.ca.certificatePem());
        Files.writeString(sa.resolve("token"), "sa-token");
        Map<String, String> pod = Map.of("KUBERNETES_SERVICE_HOST", "127.0.0.1", "KUBERNETES_SERVICE_PORT", "7443");

        // Nothing at all: the message says every way to configure it.
        String none = errorOf(() -> new AccessLocator("", home, Map.of(), sa).load());
        assertTrue(none, none.contains("dev.kubespan.discovery.kubernetes") && none.contains("$KUBECONFIG")
                && none.contains(home.resolve("etc/kubeconfig").toString()));

        // In a pod: the service account, its token re-read from the file.
        ClusterAccess inPod = new AccessLocator("", home, pod, sa).load();
        assertEquals(URI.create("https://127.0.0.1:7443"), inPod.server());
        assertEquals("in-cluster", inPod.source());
        assertEquals("sa-token", inPod.bearerToken().orElseThrow());
        Files.writeString(sa.resolve("token"), "rotated");
        assertEquals("rotated", inPod.bearerToken().orElseThrow());
        assertEquals(URI.create("https://[fd00::1]:443"), new AccessLocator("in-cluster", home,
                Map.of("KUBERNETES_SERVICE_HOST", "fd00::1", "KUBERNETES_SERVICE_PORT", "443"), sa).load().server());

        // ${kubespan.home}/etc/kubeconfig wins over the pod.
        Kubeconfigs.write(home.resolve("etc/kubeconfig"), URI.create("https://127.0.0.1:1001"),
                PKI.ca.certificatePem(), Kubeconfigs.token("t"));
        assertEquals(1001, new AccessLocator("", home, pod, sa).load().server().getPort());

        // $KUBECONFIG wins over that: its first existing file.
        Path k = Kubeconfigs.write(file("kc2"), URI.create("https://127.0.0.1:1002"), PKI.ca.certificatePem(),
                Kubeconfigs.token("t"));
        Map<String, String> env = Map.of("KUBECONFIG", file("absent") + java.io.File.pathSeparator + k);
        assertEquals(1002, new AccessLocator("", home, env, sa).load().server().getPort());
        assertTrue(errorOf(() -> new AccessLocator("", home, Map.of("KUBECONFIG", file("absent").toString()), sa)
                .load()).contains("none of the $KUBECONFIG files exists"));

        // The configured path wins over everything, relative to ${kubespan.home}.
        Kubeconfigs.write(home.resolve("conf/k"), URI.create("https://127.0.0.1:1003"), PKI.ca.certificatePem(),
                Kubeconfigs.token("t"));
        assertEquals(1003, new AccessLocator("conf/k", home, env, sa).load().server().getPort());
        assertEquals(7443, new AccessLocator("in-cluster", home, pod, sa).load().server().getPort());

        String noPod = errorOf(() -> new AccessLocator("in-cluster", home, Map.of(), sa).load());
        assertTrue(noPod, noPod.contains("KUBERNETES_SERVICE_HOST"));
    }
}
