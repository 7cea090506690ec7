/**
 * The KubeSpan machine configuration: the status of the last load ({@link dev.kubespan.config.ConfigStatus})
 * and a generator for fresh configs ({@link dev.kubespan.config.ConfigGenerator}, JDK-only so that it runs
 * without OSGi).
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.kubespan.config;
