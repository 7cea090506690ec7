package dev.kubespan.itests;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * Plain Felix never reads features.xml, so the appliance's bundle list (assembly/pom.xml) and the
 * Karaf features could drift apart unnoticed: this keeps our own bundles the same in both.
 */
public class FeatureListMatchesAssemblyTest {
    private static final Path ROOT = Path.of(System.getProperty("kubespan.itest.root", ".."));

    @Test
    public void everyKubeSpanBundleIsInBothTheAssemblyAndTheFeatures() throws IOException {
        Set<String> assembly = find(ROOT.resolve("assembly/pom.xml"),
                Pattern.compile("<artifactId>(dev\\.kubespan\\.[a-z.]+)</artifactId>"));
        Set<String> features = find(ROOT.resolve("features/src/main/feature/feature.xml"),
                Pattern.compile("mvn:dev\\.kubespan/(dev\\.kubespan\\.[a-z.]+)/"));
        assertEquals("assembly/pom.xml vs features/src/main/feature/feature.xml", assembly, features);
    }

    private static Set<String> find(Path file, Pattern p) throws IOException {
        Set<String> out = new TreeSet<>();
        Matcher m = p.matcher(Files.readString(file));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
