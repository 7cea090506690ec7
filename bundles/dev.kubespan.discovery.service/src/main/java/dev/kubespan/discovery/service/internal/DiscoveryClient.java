package dev.kubespan.discovery.service.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

import com.google.protobuf.ByteString;

import dev.kubespan.api.Backoff;
import dev.kubespan.api.Log;
import dev.kubespan.api.RateLimitedLog;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.api.spec.Times;
import dev.kubespan.discovery.grpc.server.AffiliateDeleteRequest;
import dev.kubespan.discovery.grpc.server.AffiliateUpdateRequest;
import dev.kubespan.discovery.grpc.server.ClusterGrpc;
import dev.kubespan.discovery.grpc.server.HelloRequest;
import dev.kubespan.discovery.grpc.server.HelloResponse;
import dev.kubespan.discovery.grpc.server.WatchRequest;
import dev.kubespan.discovery.grpc.server.WatchResponse;
import dev.kubespan.discovery.grpc.transport.OwnedChannel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * One client of one discovery service, on its own thread, following docs/discovery-protocol.md §5.1:
 * backoff → Hello (public IP, redirect) → Watch (snapshot, then deltas) → publish the local
 * affiliate and harvested endpoints, refresh every TTL/2 and on change; any error or stream end
 * goes back to backoff. Results are read by the owner ({@link #affiliates()}, {@link #publicIp()},
 * {@link #status()}) after an {@code onChange} signal. {@link #close()} stops without touching
 * the server (a bundle update); {@link #leave()} first deletes this node's affiliate.
 */
public final class DiscoveryClient implements AutoCloseable {
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(10);
    static final Duration UPDATE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DELETE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIN_KEEPALIVE = Duration.ofSeconds(10);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(20);
    /** The Talos discovery client's reconnect backoff (docs/discovery-protocol.md §5.1): 0.5 s ×1.5 up to 60 s, ±50 %. */
    static final Duration BACKOFF_INITIAL = Duration.ofMillis(500);
    static final Duration BACKOFF_MAX = Duration.ofSeconds(60);
    private static final Object WAKE = new Object();

    /** Everything a client needs to know; a change of any of it means a new client. */
    public record Settings(String name, ServiceTarget target, String clusterId, String nodeId,
            SealedPayloads payloads, Duration ttl, String clientVersion) {
        /** Same service, cluster, node and key: no need to restart the client. */
        public boolean sameAs(Settings o) {
            return o != null && name.equals(o.name) && target.equals(o.target) && clusterId.equals(o.clusterId)
                    && nodeId.equals(o.nodeId) && payloads.cipher().sameKey(o.payloads.cipher())
                    && ttl.equals(o.ttl) && clientVersion.equals(o.clientVersion);
        }
    }

    /** Opens a channel; tests swap it to trust a test CA. */
    public interface ChannelFactory {
        OwnedChannel open(ServiceTarget target, Duration keepAlive, String threadNamePrefix) throws IOException;

        /** TLS with the JDK trust store, or plaintext h2c for insecure targets. */
        static ChannelFactory standard(String userAgent) {
            return (target, keepAlive, prefix) -> {
                OwnedChannel.Builder b = OwnedChannel.forTarget(target.authority())
                        .keepAliveTime(keepAlive)
                        .keepAliveWithoutCalls(false)
                        .userAgent(userAgent)
                        .threadNamePrefix(prefix);
                if (target.insecure()) {
                    b.plaintext();
                }
                return b.build();
            };
        }
    }

    private record WatchMessage(int generation, WatchResponse response) {
    }

    private record WatchEnd(int generation, Status status) {
    }

    private final Settings settings;
    private final ChannelFactory channels;
    private final Runnable onChange;
    private final Log log;
    private final Backoff backoff;
    private final Clock clock;
    private final DiscoveredAffiliates discovered;
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final AtomicReference<Publication> publication = new AtomicReference<>(Publication.NOTHING);
    private final AtomicBoolean publicationChanged = new AtomicBoolean();
    private final Thread thread;

    private volatile boolean stopping;
    private volatile boolean leaving;
    private volatile ServiceTarget target;
    private volatile OwnedChannel channel;
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile String lastError = "";
    private volatile Instant lastErrorTime = Times.ZERO;
    private volatile Optional<String> publicIp = Optional.empty();
    private volatile boolean helloAnswered;
    private volatile boolean synced;

    // Owned by the client thread.
    /** The first connect happens at once; only retries wait for the backoff. */
    private boolean retrying;
    private ClientCallStreamObserver<WatchRequest> watchCall;
    private int watchGeneration;
    private boolean firstMessage;
    private boolean refreshPending;
    private long nextRefreshNanos;
    private long disconnectedSinceNanos;
    private boolean errorLogged;

    public DiscoveryClient(Settings settings, ChannelFactory channels, Runnable onChange, Log log,
            RateLimitedLog dropLog, DoubleSupplier random, Clock clock) {
        this.settings = settings;
        this.channels = channels;
        this.onChange = onChange;
        this.log = log;
        this.backoff = new Backoff(BACKOFF_INITIAL, BACKOFF_MAX, 1.5, 0.5, random);
        this.clock = clock;
        this.target = settings.target();
        this.discovered = new DiscoveredAffiliates(settings.nodeId(), settings.payloads(),
                (key, message) -> dropLog.log(settings.name() + "/" + key,
                        "discovery service " + settings.name() + ": " + message));
        this.thread = new Thread(this::run, "kubespan-discovery-" + settings.name());
        this.thread.setDaemon(true);
    }

    public Settings settings() {
        return settings;
    }

    public void start() {
        thread.start();
    }

    /**
     * Replaces what this node publishes; sent at once when connected. The builder hands out the
     * same instance while nothing changed, and the server echoes every update through Watch,
     * which leads back here: the same publication again must not be sent again.
     */
    public void publish(Publication p) {
        if (publication.getAndSet(p) == p) {
            return;
        }
        publicationChanged.set(true);
        events.add(WAKE);
    }

    /**
     * Deletes this node's affiliate from the service (best effort, bounded), then stops. Returns
     * at once; {@link #isDone()} tells when it finished. Only for a real leave (config says so).
     */
    public void leave() {
        leaving = true;
        events.add(WAKE);
    }

    public boolean isDone() {
        return !thread.isAlive();
    }

    /** Stops without telling the server anything, and waits until every thread has ended. */
    @Override
    public void close() {
        requestStop();
        awaitStop();
    }

    /** First half of {@link #close()}: asks the thread to stop and fails its pending calls. */
    public void requestStop() {
        stopping = true;
        events.add(WAKE);
        OwnedChannel ch = channel;
        if (ch != null) {
            // Fails any blocking call at once; the client thread then closes the channel fully.
            ch.channel().shutdownNow();
        }
    }

    /** Second half of {@link #close()}: waits for the client thread (and so its channel) to end. */
    public void awaitStop() {
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        boolean interrupted = false;
        try {
            thread.join(JOIN_TIMEOUT.toMillis());
            if (thread.isAlive()) {
                log.warn("discovery client " + settings.name() + " did not stop in time; interrupting it");
                thread.interrupt();
                thread.join(JOIN_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Affiliates this service reports (local node excluded), by node ID. */
    public SortedMap<String, Affiliate> affiliates() {
        return discovered.snapshot();
    }

    /** This node's public IP as the service saw it, once a Hello answered with one. */
    public Optional<String> publicIp() {
        return publicIp;
    }

    /** Whether a Hello has been answered (possibly without an IP). */
    public boolean helloAnswered() {
        return helloAnswered;
    }

    /** Whether at least one full snapshot has arrived since this client started. */
    public boolean synced() {
        return synced;
    }

    public RegistryStatus status() {
        return new RegistryStatus("service/" + settings.name(), target.toString(), state, discovered.size(),
                lastError, lastErrorTime);
    }

    private void run() {
        try {
            loop();
        } catch (InterruptedException e) {
            // close() gave up waiting politely
        } finally {
            cancelWatch("client stopped");
            closeChannel();
        }
    }

    private void loop() throws InterruptedException {
        while (!stopping) {
            try {
                if (leaving) {
                    deleteOwnAffiliate();
                    return;
                }
                if (watchCall == null) {
                    expireStaleView();
                    if (retrying) {
                        setState(ConnectionState.BACKOFF);
                        if (!sleep(backoff.next())) {
                            continue;
                        }
                    }
                    retrying = true;
                    setState(ConnectionState.CONNECTING);
                    if (!connect()) {
                        continue;
                    }
                    refreshPending = true;
                }
                if (refreshPending && !refresh()) {
                    continue;
                }
                long wait = nextRefreshNanos - System.nanoTime();
                Object event = wait > 0 ? events.poll(wait, TimeUnit.NANOSECONDS) : null;
                if (event == null) {
                    refreshPending = true;
                } else {
                    handle(event);
                }
            } catch (RuntimeException e) {
                // A bug or an unexpected library error must not kill the client: start over.
                error("unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
                cancelWatch("internal error");
            }
        }
    }

    /** Waits, handling events; false when stopping or leaving was requested meanwhile. */
    private boolean sleep(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (!stopping && !leaving) {
            long wait = until - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            Object event = events.poll(wait, TimeUnit.NANOSECONDS);
            if (event != null && event != WAKE) {
                handle(event);
            }
        }
        return false;
    }

    private void handle(Object event) {
        if (event == WAKE) {
            if (publicationChanged.get()) {
                refreshPending = true;
            }
        } else if (event instanceof WatchMessage m) {
            if (m.generation() != watchGeneration || watchCall == null) {
                return;
            }
            boolean first = firstMessage;
            firstMessage = false;
            discovered.apply(m.response(), first);
            if (first) {
                synced = true;
                disconnectedSinceNanos = 0;
                // A stream that delivers its snapshot proves the connection: fast retry next time.
                backoff.reset();
                state = ConnectionState.CONNECTED;
                errorLogged = false;
                log.info("discovery service " + settings.name() + ": connected to " + target + ", "
                        + discovered.size() + " affiliate(s) in the cluster");
            }
            onChange.run();
        } else if (event instanceof WatchEnd e) {
            if (e.generation() != watchGeneration || watchCall == null) {
                return;
            }
            watchCall = null;
            disconnectedSinceNanos = System.nanoTime();
            Status s = e.status();
            error(s.isOk() ? "watch stream ended by the server" : "watch: " + describe(s));
        }
    }

    /** The channel, opened now if there is none; null when a stop began while it was opened. */
    private OwnedChannel openChannel() throws IOException {
        OwnedChannel ch = channel;
        if (ch == null) {
            ch = channels.open(target, keepAlive(), "kubespan-discovery-" + settings.name());
            channel = ch;
            if (stopping) {
                return null;
            }
        }
        return ch;
    }

    private boolean connect() {
        try {
            OwnedChannel ch = openChannel();
            if (ch == null) {
                return false;
            }
            HelloResponse hello = ClusterGrpc.newBlockingStub(ch.channel())
                    .withDeadlineAfter(HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .hello(HelloRequest.newBuilder()
                            .setClusterId(settings.clusterId())
                            .setClientVersion(settings.clientVersion())
                            .build());
            if (hello.hasRedirect() && !hello.getRedirect().getEndpoint().isEmpty()) {
                String to = hello.getRedirect().getEndpoint();
                try {
                    ServiceTarget next = target.redirectTo(to);
                    log.info("discovery service " + settings.name() + ": redirected from " + target + " to " + next);
                    target = next;
                } catch (IllegalArgumentException bad) {
                    error("hello: unusable redirect: " + bad.getMessage());
                }
                closeChannel();
                onChange.run();
                return false;
            }
            Optional<String> ip = Optional.empty();
            if (!hello.getClientIp().isEmpty()) {
                try {
                    ip = Optional.of(IpBytes.decodeText(hello.getClientIp().toByteArray()));
                } catch (PayloadException e) {
                    log.warn("discovery service " + settings.name() + ": client IP ignored: " + e.getMessage());
                }
            }
            boolean changed = !ip.equals(publicIp) || !helloAnswered;
            publicIp = ip;
            helloAnswered = true;
            if (changed) {
                onChange.run();
            }
            startWatch(ch);
            return true;
        } catch (StatusRuntimeException e) {
            error("hello: " + describe(e.getStatus()));
            closeChannel();
            failOver();
            return false;
        } catch (IOException e) {
            error("cannot open a channel to " + target + ": " + e.getMessage());
            closeChannel();
            failOver();
            return false;
        }
    }

    /**
     * The replica in use did not answer: the next connect goes to the next one listed (the
     * affiliate is published again there on connect, so nothing is lost on the way).
     */
    private void failOver() {
        ServiceTarget next = target.next();
        if (next != target) {
            log.info("discovery service " + settings.name() + ": " + target.authority() + " failed, trying "
                    + next.authority());
            target = next;
            onChange.run();
        }
    }

    private void startWatch(OwnedChannel ch) {
        int generation = ++watchGeneration;
        firstMessage = true;
        AtomicReference<ClientCallStreamObserver<WatchRequest>> call = new AtomicReference<>();
        ClusterGrpc.newStub(ch.channel()).watch(WatchRequest.newBuilder().setClusterId(settings.clusterId()).build(),
                new ClientResponseObserver<WatchRequest, WatchResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
                        call.set(requestStream);
                    }

                    @Override
                    public void onNext(WatchResponse value) {
                        events.add(new WatchMessage(generation, value));
                    }

                    @Override
                    public void onError(Throwable t) {
                        events.add(new WatchEnd(generation, Status.fromThrowable(t)));
                    }

                    @Override
                    public void onCompleted() {
                        events.add(new WatchEnd(generation, Status.OK));
                    }
                });
        watchCall = call.get();
    }

    /** Own update first, then endpoint-only updates for others, all within one deadline (§5.1 step 4). */
    private boolean refresh() {
        publicationChanged.set(false);
        Publication p = publication.get();
        OwnedChannel ch = channel;
        if (p.hasData() && ch != null) {
            com.google.protobuf.Duration ttl = com.google.protobuf.Duration.newBuilder()
                    .setSeconds(settings.ttl().getSeconds()).build();
            var stub = ClusterGrpc.newBlockingStub(ch.channel())
                    .withDeadline(Deadline.after(UPDATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            try {
                stub.affiliateUpdate(AffiliateUpdateRequest.newBuilder()
                        .setClusterId(settings.clusterId())
                        .setAffiliateId(settings.nodeId())
                        .setAffiliateData(ByteString.copyFrom(p.data()))
                        .addAllAffiliateEndpoints(blobs(p.endpoints()))
                        .setTtl(ttl)
                        .build());
                for (Map.Entry<String, List<byte[]>> other : p.others().entrySet()) {
                    stub.affiliateUpdate(AffiliateUpdateRequest.newBuilder()
                            .setClusterId(settings.clusterId())
                            .setAffiliateId(other.getKey())
                            .addAllAffiliateEndpoints(blobs(other.getValue()))
                            .setTtl(ttl)
                            .build());
                }
            } catch (StatusRuntimeException e) {
                error("update: " + describe(e.getStatus()));
                cancelWatch("update failed");
                return false;
            }
            backoff.reset();
        }
        refreshPending = false;
        nextRefreshNanos = System.nanoTime() + settings.ttl().toNanos() / 2;
        return true;
    }

    private void deleteOwnAffiliate() {
        cancelWatch("leaving");
        try {
            OwnedChannel ch = openChannel();
            if (ch == null) {
                return;
            }
            ClusterGrpc.newBlockingStub(ch.channel())
                    .withDeadlineAfter(DELETE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .affiliateDelete(AffiliateDeleteRequest.newBuilder()
                            .setClusterId(settings.clusterId())
                            .setAffiliateId(settings.nodeId())
                            .build());
            log.info("discovery service " + settings.name() + ": deleted this node's affiliate from " + target);
        } catch (StatusRuntimeException e) {
            log.warn("discovery service " + settings.name() + ": could not delete this node's affiliate ("
                    + describe(e.getStatus()) + "); the service drops it when its TTL ends");
        } catch (IOException e) {
            log.warn("discovery service " + settings.name() + ": could not delete this node's affiliate", e);
        }
    }

    /** A service we cannot reach for a whole TTL has expired everything we know from it. */
    private void expireStaleView() {
        if (disconnectedSinceNanos != 0
                && System.nanoTime() - disconnectedSinceNanos > settings.ttl().toNanos()
                && discovered.clear()) {
            log.info("discovery service " + settings.name() + ": unreachable for a whole TTL, forgetting its affiliates");
            onChange.run();
        }
    }

    private void cancelWatch(String why) {
        ClientCallStreamObserver<WatchRequest> c = watchCall;
        watchCall = null;
        if (c != null) {
            c.cancel(why, null);
            if (disconnectedSinceNanos == 0) {
                disconnectedSinceNanos = System.nanoTime();
            }
        }
    }

    private void closeChannel() {
        OwnedChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    private void setState(ConnectionState s) {
        if (s != state) {
            state = s;
            onChange.run();
        }
    }

    private void error(String message) {
        if (stopping) {
            return;
        }
        lastError = message;
        lastErrorTime = clock.instant();
        // One warning per outage; the retries of a service that stays down only go to debug.
        String line = "discovery service " + settings.name() + " (" + target + "): " + message;
        if (errorLogged) {
            log.debug(line);
        } else {
            errorLogged = true;
            log.warn(line);
        }
        onChange.run();
    }

    private Duration keepAlive() {
        Duration tenth = settings.ttl().dividedBy(10);
        return tenth.compareTo(MIN_KEEPALIVE) < 0 ? MIN_KEEPALIVE : tenth;
    }

    private static List<ByteString> blobs(List<byte[]> l) {
        return l.stream().map(ByteString::copyFrom).toList();
    }

    private static String describe(Status s) {
        String d = s.getDescription();
        Throwable cause = s.getCause();
        if ((d == null || d.isEmpty()) && cause != null) {
            d = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        }
        return s.getCode() + (d == null || d.isEmpty() ? "" : " " + d);
    }
}
