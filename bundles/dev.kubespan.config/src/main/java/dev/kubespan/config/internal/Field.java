package dev.kubespan.config.internal;

/** A value read from the configuration, with where it came from (for error messages). */
record Field<T>(T value, String path, int line) {

    /** Never prints the value: a field may hold the cluster secret. */
    @Override
    public String toString() {
        return path;
    }
}
