package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.test.TestStore;

public class YamlRendererTest {

    @Test
    public void identityDocumentRedactedByDefault() {
        TestStore s = Fixtures.store();
        String text = ResourceConverter.render(ResourceList.find(s, ResourceTypes.KUBESPAN_IDENTITY, List.of(), null, OutputFormat.YAML, false));
        assertEquals(String.join("\n",
                "metadata:",
                "    namespace: kubespan",
                "    type: KubeSpanIdentities.kubespan.talos.dev",
                "    id: local",
                "    version: 1",
                "    created: 2026-11-26T09:00:00Z",
                "    updated: 2026-11-26T09:00:00Z",
                "    owner: dev.kubespan.identity",
                "spec:",
                "    address: fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128",
                "    subnet: fd7f:175a:b97c:5602::/64",
                "    privateKey: <redacted>",
                "    publicKey: " + Fixtures.PUBLIC_KEY), text);
    }

    @Test
    public void secretsShownOnRequest() {
        TestStore s = Fixtures.store();
        String text = ResourceConverter.render(ResourceList.find(s, ResourceTypes.KUBESPAN_IDENTITY, List.of(), null, OutputFormat.YAML, true));
        assertEquals(true, text.contains("    privateKey: " + Fixtures.PRIVATE_KEY + "\n"));
    }

    @Test
    public void documentsAreSeparatedAndEmptyListsAreFlow() {
        TestStore s = Fixtures.store();
        String text = ResourceConverter.render(ResourceList.find(s, ResourceTypes.KUBESPAN_PEER_SPEC, List.of(), null, OutputFormat.YAML, false));
        String[] docs = text.split("\n---\n");
        assertEquals(2, docs.length);
        assertEquals(true, docs[0].endsWith("spec:\n    address: fd7f:175a:b97c:5602::a\n    allowedIPs: []\n"
                + "    endpoints: []\n    label: cp1"));
        assertEquals(true, docs[1].endsWith(String.join("\n",
                "spec:",
                "    address: fd7f:175a:b97c:5602::b",
                "    allowedIPs:",
                "        - 10.0.0.2/32",
                "        - fd7f:175a:b97c:5602::b/128",
                "    endpoints:",
                "        - 172.20.0.3:51820",
                "        - \"[2001:db8::3]:51820\"",
                "    label: worker-long-name-2")));
    }

    @Test
    public void listOfRecordsAlignsKeysUnderTheDash() {
        DiscoveryConfig dc = new DiscoveryConfig(true, false,
                List.of(new DiscoveryServiceEndpoint("default", "discovery.talos.dev:443", false),
                        new DiscoveryServiceEndpoint("local", "127.0.0.1:3000", true)),
                "c2VjcmV0", "cid");
        TestStore s = Fixtures.emptyStore();
        s.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, "cluster", dc, "config");
        String text = ResourceConverter.render(ResourceList.find(s, ResourceTypes.DISCOVERY_CONFIG, List.of(), null, OutputFormat.YAML, false));
        assertEquals(true, text.endsWith(String.join("\n",
                "spec:",
                "    discoveryEnabled: true",
                "    registryKubernetesEnabled: false",
                "    serviceEndpoints:",
                "        - name: default",
                "          endpoint: discovery.talos.dev:443",
                "          insecure: false",
                "        - name: local",
                "          endpoint: 127.0.0.1:3000",
                "          insecure: true",
                "    serviceEncryptionKey: <redacted>",
                "    serviceClusterID: cid")));
    }

    @Test
    public void stringsThatWouldReadBackAsSomethingElseAreQuoted() {
        assertEquals("\"\"", YamlRenderer.scalar(""));
        assertEquals("\"true\"", YamlRenderer.scalar("true"));
        assertEquals("\"No\"", YamlRenderer.scalar("No"));
        assertEquals("\"null\"", YamlRenderer.scalar("null"));
        assertEquals("\"~\"", YamlRenderer.scalar("~"));
        assertEquals("\"123\"", YamlRenderer.scalar("123"));
        assertEquals("\"1.5e3\"", YamlRenderer.scalar("1.5e3"));
        assertEquals("\"0x1f\"", YamlRenderer.scalar("0x1f"));
        assertEquals("\"10:30\"", YamlRenderer.scalar("10:30")); // YAML 1.1 sexagesimal
        assertEquals("\"::1\"", YamlRenderer.scalar("::1"));
        assertEquals("\"- item\"", YamlRenderer.scalar("- item"));
        assertEquals("\"a: b\"", YamlRenderer.scalar("a: b"));
        assertEquals("\"a #b\"", YamlRenderer.scalar("a #b"));
        assertEquals("\"#x\"", YamlRenderer.scalar("#x"));
        assertEquals("\"trailing \"", YamlRenderer.scalar("trailing "));
        assertEquals("\"key:\"", YamlRenderer.scalar("key:"));
        assertEquals("\"\\\"say \\\"hi\\\" \\\\ there\"", YamlRenderer.scalar("\"say \"hi\" \\ there"));
        assertEquals("\"line1\\nline2\\ttab\\x01\"", YamlRenderer.scalar("line1\nline2\ttab\u0001"));
        assertEquals("\"{a}\"", YamlRenderer.scalar("{a}"));
    }

    @Test
    public void ordinaryValuesStayPlain() {
        for (String plain : new String[] { "fd00::1/128", "10.0.0.1:51820", "a.example", "Talos (v1.14.0)",
                "<redacted>", "hWmpq0z0lXFXO2tRJxnJoKp1BQv3NCQk8tLqjRqpLkU=", "2026-11-26T09:00:00Z", "key:value",
                "C#", "ünïcode" }) {
            assertEquals(plain, YamlRenderer.scalar(plain));
        }
    }

    @Test
    public void nullsEmptiesAndNestedLists() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("none", null);
        m.put("emptyMap", Map.of());
        m.put("nested", List.of(List.of("a"), "b"));
        m.put("n", 3); // a plain n is false to a YAML 1.1 reader, so the key is quoted
        assertEquals("none: null\nemptyMap: {}\nnested:\n    -\n        - a\n    - b\n\"n\": 3\n", YamlRenderer.document(m));
        assertEquals("{}\n", YamlRenderer.document(Map.of()));
    }
}
