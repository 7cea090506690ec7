package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.kubespan.api.ResourceTypes;
import dev.kubespan.test.TestStore;

public class JsonRendererTest {

    @Test
    public void identityAsPrettyJsonRedacted() {
        TestStore s = Fixtures.store();
        String text = ResourceConverter.render(ResourceList.find(s, ResourceTypes.KUBESPAN_IDENTITY, List.of(), null, OutputFormat.JSON, false));
        assertEquals(String.join("\n",
                "{",
                "    \"metadata\": {",
                "        \"namespace\": \"kubespan\",",
                "        \"type\": \"KubeSpanIdentities.kubespan.talos.dev\",",
                "        \"id\": \"local\",",
                "        \"version\": 1,",
                "        \"created\": \"2026-11-26T09:00:00Z\",",
                "        \"updated\": \"2026-11-26T09:00:00Z\",",
                "        \"owner\": \"dev.kubespan.identity\"",
                "    },",
                "    \"spec\": {",
                "        \"address\": \"fd7f:175a:b97c:5602:e871:1bff:feb2:ccee/128\",",
                "        \"subnet\": \"fd7f:175a:b97c:5602::/64\",",
                "        \"privateKey\": \"<redacted>\",",
                "        \"publicKey\": \"" + Fixtures.PUBLIC_KEY + "\"",
                "    }",
                "}"), text);
        assertFalse(text.contains(Fixtures.PRIVATE_KEY));
        String shown = ResourceConverter.render(ResourceList.find(s, ResourceTypes.KUBESPAN_IDENTITY, List.of(), null, OutputFormat.JSON, true));
        assertEquals(true, shown.contains("\"privateKey\": \"" + Fixtures.PRIVATE_KEY + "\""));
    }

    @Test
    public void emptyListsAndObjects() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("l", List.of());
        m.put("m", Map.of());
        m.put("x", null);
        m.put("b", true);
        assertEquals("{\n    \"l\": [],\n    \"m\": {},\n    \"x\": null,\n    \"b\": true\n}", JsonRenderer.pretty(m));
        assertEquals("{\"l\":[],\"m\":{},\"x\":null,\"b\":true}", JsonRenderer.compact(m));
        assertEquals("[\"a\",\"b\"]", JsonRenderer.compact(List.of("a", "b")));
    }

    @Test
    public void specialCharactersAreEscaped() {
        assertEquals("\"q\\\" b\\\\ n\\n r\\r t\\t c\\u0001 d\\u007f ls\\u2028 <ok> ü\"",
                JsonRenderer.compact("q\" b\\ n\n r\r t\t c\u0001 d\u007f ls\u2028 <ok> ü"));
        assertEquals("null", JsonRenderer.compact(Double.NaN));
        assertEquals("[1,2.5]", JsonRenderer.compact(List.of(1L, 2.5)));
    }

    @Test
    public void severalResourcesAreConcatenatedObjects() {
        TestStore s = Fixtures.store();
        String text = ResourceConverter.render(ResourceList.find(s, ResourceTypes.AFFILIATE, List.of(), null, OutputFormat.JSON, false));
        assertEquals(2, text.split("\n}\n\\{\n", -1).length);
        assertEquals(true, text.contains("\"kubespan\": null"));
        assertEquals(true, text.contains("\"controlPlane\": null"));
    }
}
