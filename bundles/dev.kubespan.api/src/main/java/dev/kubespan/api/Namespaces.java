package dev.kubespan.api;

/** The resource namespaces, as Talos names them. */
public final class Namespaces {
    public static final String CONFIG = "config";
    public static final String KUBESPAN = "kubespan";
    public static final String CLUSTER = "cluster";
    /** Affiliates as each registry reported them, before the merge. */
    public static final String CLUSTER_RAW = "cluster-raw";

    private Namespaces() {
    }
}
