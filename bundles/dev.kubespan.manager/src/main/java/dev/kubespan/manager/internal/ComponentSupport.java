package dev.kubespan.manager.internal;

import org.osgi.framework.Version;

/** Small helpers shared by the DS components. */
final class ComponentSupport {
    private ComponentSupport() {
    }

    /** e.g. {@code KubeSpan for OSGi 0.1.0-SNAPSHOT (Linux)}. */
    static String operatingSystem(Version v) {
        String version = v.getMajor() + "." + v.getMinor() + "." + v.getMicro()
                + (v.getQualifier().isEmpty() ? "" : "-" + v.getQualifier());
        return "KubeSpan for OSGi " + version + " (" + System.getProperty("os.name", "unknown") + ")";
    }
}
