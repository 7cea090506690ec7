package dev.kubespan.discovery.kubernetes.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.ControlPlane;
import dev.kubespan.test.Specs;

public class NodeAnnotationsTest {
    static final String KEY_A = "mB6NyS4vYHa1Yu/FNJTFEhjI1FhG3WB4WD9ykf1JUWU=";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Affiliate controlPlane() {
        return new Affiliate("nodeA", List.of("192.0.2.10", "2001:db8::10"), "a.example", "node-a", "Linux",
                "controlplane",
                Specs.kubeSpan(KEY_A, "fd7f:175a:b97c:5602:e871:1bff:feb2:ccee", List.of("10.244.1.0/24"),
                        List.of("192.0.2.10:51820", "[2001:db8::10]:51820"), List.of("192.0.2.128/25")),
                new ControlPlane(6443));
    }

    @Test
    public void publishesTheSpecsAnnotationsInTheSpecsFormats() {
        List<String> problems = new ArrayList<>();
        Map<String, String> a = NodeAnnotations.forAffiliate(controlPlane(), problems);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("cluster.talos.dev/node-id", "nodeA");
        expected.put("networking.talos.dev/self-ips", "192.0.2.10,2001:db8::10");
        expected.put("networking.talos.dev/api-server-port", "6443");
        expected.put("networking.talos.dev/kubespan-ip", "fd7f:175a:b97c:5602:e871:1bff:feb2:ccee");
        expected.put("networking.talos.dev/kubespan-public-key", KEY_A);
        expected.put("networking.talos.dev/assigned-prefixes", "10.244.1.0/24");
        expected.put("networking.talos.dev/kubespan-endpoints", "192.0.2.10:51820,[2001:db8::10]:51820");
        expected.put("networking.talos.dev/kubespan-exclude-advertised-networks", "192.0.2.128/25");
        assertEquals(expected, a);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(a.keySet()));
        assertTrue(problems.isEmpty());
    }

    @Test
    public void emptyValuesMarkAnnotationsForRemoval() {
        Affiliate worker = new Affiliate("nodeB", List.of("192.0.2.11"), "", "node-b", "", "worker", null, null);
        Map<String, String> a = NodeAnnotations.forAffiliate(worker, new ArrayList<>());
        assertEquals(NodeAnnotations.ALL, List.copyOf(a.keySet()));
        assertEquals("nodeB", a.get(NodeAnnotations.NODE_ID));
        assertEquals("192.0.2.11", a.get(NodeAnnotations.SELF_IPS));
        for (String k : List.of(NodeAnnotations.API_SERVER_PORT, NodeAnnotations.KUBESPAN_IP,
                NodeAnnotations.KUBESPAN_PUBLIC_KEY, NodeAnnotations.ASSIGNED_PREFIXES,
                NodeAnnotations.KUBESPAN_ENDPOINTS, NodeAnnotations.EXCLUDE_ADVERTISED_NETWORKS)) {
            assertEquals(k, "", a.get(k));
        }
        assertTrue(NodeAnnotations.matches(Map.of("cluster.talos.dev/node-id", "nodeB",
                "networking.talos.dev/self-ips", "192.0.2.11", "other", "x"), a));
        assertFalse(NodeAnnotations.matches(Map.of("cluster.talos.dev/node-id", "nodeB",
                "networking.talos.dev/self-ips", "192.0.2.11", "networking.talos.dev/kubespan-ip", "fd00::1"), a));
    }

    /** The KubeSpan part is typed (an endpoint without a port cannot be built); addresses are still text. */
    @Test
    public void invalidLocalItemsAreLeftOutAndReported() {
        Affiliate a = new Affiliate("n", List.of("192.0.2.1", "bogus"), "", "n", "", "worker",
                Specs.kubeSpan(KEY_A, "fd00::1", List.of(), List.of("10.0.0.2:51820", "10.0.0.2:51820"), List.of()),
                null);
        List<String> problems = new ArrayList<>();
        Map<String, String> out = NodeAnnotations.forAffiliate(a, problems);
        assertEquals("192.0.2.1", out.get(NodeAnnotations.SELF_IPS));
        assertEquals("10.0.0.2:51820", out.get(NodeAnnotations.KUBESPAN_ENDPOINTS));
        assertEquals(1, problems.size());
    }

    private static JsonNode node(String json) throws Exception {
        return JSON.readTree(json.replace('\'', '"'));
    }

    @Test
    public void readsANodeWithTheReadSideRules() throws Exception {
        JsonNode n = node("{'metadata':{'name':'node-a','resourceVersion':'7',"
                + "'labels':{'node-role.kubernetes.io/control-plane':''},"
                + "'annotations':{'cluster.talos.dev/node-id':'nodeA',"
                + "'networking.talos.dev/self-ips':'192.0.2.10, 2001:DB8:0::10',"
                + "'networking.talos.dev/api-server-port':'6443',"
                + "'networking.talos.dev/kubespan-ip':'fd7f:175a:b97c:5602:e871:1bff:feb2:ccee',"
                + "'networking.talos.dev/kubespan-public-key':'" + KEY_A + "',"
                + "'networking.talos.dev/assigned-prefixes':'10.244.1.0/24',"
                + "'networking.talos.dev/kubespan-endpoints':'192.0.2.10:51820,[2001:db8::10]:51820',"
                + "'networking.talos.dev/kubespan-exclude-advertised-networks':'192.0.2.128/25'}},"
                + "'status':{'addresses':[{'type':'InternalIP','address':'192.0.2.10'},"
                + "{'type':'Hostname','address':'a.example'},{'type':'Hostname','address':'second'}],"
                + "'nodeInfo':{'osImage':'Talos (v1.10.0)'}}}");
        NodeAnnotations.Parsed p = NodeAnnotations.toAffiliate(NodeView.of(n));
        Affiliate expected = new Affiliate("nodeA", List.of("192.0.2.10", "2001:db8::10"), "a.example", "node-a",
                "Talos (v1.10.0)", "controlplane", controlPlane().kubespan(), new ControlPlane(6443));
        assertEquals(expected, p.affiliate());
        assertTrue(p.problems().isEmpty());
    }

    @Test
    public void aNodeWithoutTheRoleLabelIsAWorkerAndWithoutTheIdTakesNoPart() throws Exception {
        Affiliate w = NodeAnnotations.toAffiliate(NodeView.of(node(
                "{'metadata':{'name':'w','labels':{'node-role.kubernetes.io/worker':''},"
                        + "'annotations':{'cluster.talos.dev/node-id':'W'}}}"))).affiliate();
        assertEquals("worker", w.machineType());
        assertEquals("", w.hostname());
        assertEquals("", w.operatingSystem());
        assertNull(w.kubespan());
        assertNull(w.controlPlane());
        assertNull(NodeAnnotations.toAffiliate(NodeView.of(node("{'metadata':{'name':'plain','annotations':{}}}"))));
    }

    @Test
    public void unparsableItemsAreSkippedAndReported() throws Exception {
        JsonNode n = node("{'metadata':{'name':'bad','annotations':{'cluster.talos.dev/node-id':'B',"
                + "'networking.talos.dev/self-ips':'192.0.2.1,not-an-ip,,300.1.1.1',"
                + "'networking.talos.dev/api-server-port':'70000',"
                + "'networking.talos.dev/kubespan-public-key':'" + KEY_A + "',"
                + "'networking.talos.dev/kubespan-ip':'fd00::zz',"
                + "'networking.talos.dev/assigned-prefixes':'10.0.0.0/33,10.1.0.0/16',"
                + "'networking.talos.dev/kubespan-endpoints':'2001:db8::1:51820,192.0.2.1:51820,192.0.2.2',"
                + "'networking.talos.dev/kubespan-exclude-advertised-networks':'x/8'}}}");
        NodeAnnotations.Parsed p = NodeAnnotations.toAffiliate(NodeView.of(n));
        Affiliate a = p.affiliate();
        assertEquals(List.of("192.0.2.1"), a.addresses());
        assertNull(a.controlPlane());
        assertEquals("", Specs.text(a.kubespan().address()));
        assertEquals(List.of("10.1.0.0/16"), Specs.texts(a.kubespan().additionalAddresses()));
        assertEquals(List.of("192.0.2.1:51820"), Specs.texts(a.kubespan().endpoints()));
        assertEquals(List.of(), Specs.texts(a.kubespan().excludeAdvertisedNetworks()));
        assertEquals(p.problems().toString(), 8, p.problems().size());
        assertTrue(p.problems().get(0).startsWith("Node bad: networking.talos.dev/self-ips: skipping 'not-an-ip'"));

        NodeAnnotations.Parsed badKey = NodeAnnotations.toAffiliate(NodeView.of(node(
                "{'metadata':{'name':'k','annotations':{'cluster.talos.dev/node-id':'K',"
                        + "'networking.talos.dev/kubespan-public-key':'short'}}}")));
        assertNull("a node with an invalid key is no KubeSpan peer", badKey.affiliate().kubespan());
        assertEquals(1, badKey.problems().size());
    }

    @Test
    public void roundTripsThroughTheAnnotations() {
        Affiliate a = controlPlane();
        Map<String, String> annotations = new LinkedHashMap<>(NodeAnnotations.forAffiliate(a, new ArrayList<>()));
        annotations.values().removeIf(String::isEmpty);
        NodeView v = new NodeView("node-a", "1", annotations, true, "a.example", "Linux");
        assertEquals(a, NodeAnnotations.toAffiliate(v).affiliate());
    }

    @Test
    public void rejectsNodesWithoutName() throws Exception {
        try {
            NodeView.of(node("{'metadata':{}}"));
        } catch (IllegalArgumentException e) {
            assertEquals("a Node has no metadata.name", e.getMessage());
            return;
        }
        throw new AssertionError("accepted a Node without name");
    }
}
