package dev.kubespan.http;

/**
 * Names a servlet needs to join KubeSpan's HTTP context: register it as a whiteboard servlet
 * with {@code osgi.http.whiteboard.context.select=}{@link #CONTEXT_SELECT}, and the access
 * rules of this bundle apply to it.
 */
public final class KubeSpanHttp {
    /** The whiteboard context name. */
    public static final String CONTEXT_NAME = "dev.kubespan";
    /** The filter selecting that context. */
    public static final String CONTEXT_SELECT = "(osgi.http.whiteboard.context.name=" + CONTEXT_NAME + ")";
    /** The default address and port of the HTTP service in the distribution. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 2123;

    private KubeSpanHttp() {
    }
}
