package dev.kubespan.http.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardContext;

import dev.kubespan.http.KubeSpanHttp;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The whiteboard context {@value KubeSpanHttp#CONTEXT_NAME} at {@code /}: every KubeSpan servlet
 * selects it, so one access rule ({@link AccessPolicy}) and one set of security headers cover
 * the metrics and the mesh page alike. The address and port are the HTTP service's own
 * ({@code org.apache.felix.http}); this PID only says who may read from other machines.
 */
@Component(service = ServletContextHelper.class, configurationPid = "dev.kubespan.http",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@HttpWhiteboardContext(name = KubeSpanHttp.CONTEXT_NAME, path = "/")
@Designate(ocd = KubeSpanHttpContext.Config.class)
public final class KubeSpanHttpContext extends ServletContextHelper {

    @ObjectClassDefinition(name = "KubeSpan HTTP access", description = "Requests arriving on a loopback address are"
            + " always served; others need these HTTP Basic credentials (none configured: refused).")
    public @interface Config {
        @AttributeDefinition(name = "User", description = "HTTP Basic user name for access from other machines")
        String auth_user() default "";

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, description = "A hash from "
                + "'bin/kubespan hash-password' (pbkdf2-sha256:...); a plain password works but is warned about")
        String auth_password() default "";

        @AttributeDefinition(name = "Realm", description = "Shown by browsers in the login prompt")
        String auth_realm() default "KubeSpan";
    }

    private final Logger log;
    private volatile AccessPolicy policy;
    private volatile String realm;
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - 61_000_000_000L);

    @Activate
    public KubeSpanHttpContext(Config config, @Reference(service = LoggerFactory.class) Logger log) {
        this.log = log;
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    private void apply(Config config) {
        AccessPolicy next;
        try {
            next = new AccessPolicy(config.auth_user(), config.auth_password());
        } catch (IllegalArgumentException e) {
            // A bad edit must not open the door: keep the last good policy (at first start, none).
            log.error("dev.kubespan.http: " + e.getMessage() + "; " + (policy == null
                    ? "access from other machines stays refused" : "the previous credentials stay in force"));
            if (policy == null) {
                policy = new AccessPolicy("", "");
                realm = "KubeSpan";
            }
            return;
        }
        if (next.plainPassword()) {
            log.warn("dev.kubespan.http: auth.password is a plain password; store a hash from "
                    + "'bin/kubespan hash-password' instead");
        }
        policy = next;
        realm = config.auth_realm().replace("\"", "");
        log.info("dev.kubespan.http: loopback requests are served; requests from other machines "
                + (next.remoteAccessConfigured() ? "need HTTP Basic credentials" : "are refused (no credentials set)"));
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            response.setHeader("Allow", "GET, HEAD");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "read-only");
            return false;
        }
        switch (policy.decide(request.getLocalAddr(), request.getHeader("Authorization"))) {
            case ALLOW:
                return true;
            case CHALLENGE:
                logRefusal(request, "wrong or missing credentials");
                response.setHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "credentials required");
                return false;
            default:
                logRefusal(request, "no credentials are configured (auth.user, auth.password of dev.kubespan.http)");
                response.sendError(HttpServletResponse.SC_FORBIDDEN,
                        "access from other machines is off: configure auth.user and auth.password of dev.kubespan.http");
                return false;
        }
    }

    /** At most one line a minute: a scanner must not flood the log. */
    private void logRefusal(HttpServletRequest request, String why) {
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last > 60_000_000_000L && lastRefusalLog.compareAndSet(last, now)) {
            log.warn("dev.kubespan.http: refused " + request.getRemoteAddr() + " -> " + request.getLocalAddr() + ": "
                    + why + " (further refusals this minute are not logged)");
        }
    }
}
