package dev.kubespan.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.Test;

public class ResourceTypeTest {
    record Secretive(String name, String privateKey) {
    }

    @Test
    public void aSensitiveFieldThatIsNotAComponentFailsWhenTheTypeIsBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourceType.builder("Secretive", Secretive.class).qualifiedName("secretives.test")
                        .namespace("test").sensitive("privateKey", "privatekey").build());
        assertTrue(e.getMessage(), e.getMessage().contains("[privatekey]"));
        assertTrue(e.getMessage(), e.getMessage().contains("Secretive [name, privateKey]"));
    }

    @Test
    public void sensitiveFieldsThatAreComponentsAreKept() {
        ResourceType<Secretive> t = ResourceType.builder("Secretive", Secretive.class).qualifiedName("secretives.test")
                .namespace("test").sensitive("privateKey").build();
        assertEquals(Set.of("privateKey"), t.sensitiveFields());
    }

    @Test
    public void sensitiveFieldsNeedARecordSpec() {
        assertThrows(IllegalArgumentException.class, () -> ResourceType.builder("Text", String.class)
                .qualifiedName("texts.test").namespace("test").sensitive("value").build());
    }

    /** The declared types: every one is built when the class loads, so a rename fails here first. */
    @Test
    public void everyDeclaredSensitiveFieldIsAComponentOfItsSpec() {
        int checked = 0;
        for (ResourceType<?> t : ResourceTypes.all()) {
            Set<String> components = Arrays.stream(t.specClass().getRecordComponents() == null
                    ? new RecordComponent[0] : t.specClass().getRecordComponents())
                    .map(RecordComponent::getName).collect(Collectors.toSet());
            assertTrue(t.name() + " " + t.sensitiveFields(), components.containsAll(t.sensitiveFields()));
            checked += t.sensitiveFields().size();
        }
        assertTrue("the types declare sensitive fields", checked >= 5);
    }
}
