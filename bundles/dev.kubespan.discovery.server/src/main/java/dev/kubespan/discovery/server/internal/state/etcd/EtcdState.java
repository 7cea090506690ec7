package dev.kubespan.discovery.server.internal.state.etcd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.grpc.etcd.Compare;
import dev.kubespan.discovery.grpc.etcd.DeleteRangeRequest;
import dev.kubespan.discovery.grpc.etcd.Event;
import dev.kubespan.discovery.grpc.etcd.KeyValue;
import dev.kubespan.discovery.grpc.etcd.PutRequest;
import dev.kubespan.discovery.grpc.etcd.RangeRequest;
import dev.kubespan.discovery.grpc.etcd.RangeResponse;
import dev.kubespan.discovery.grpc.etcd.RequestOp;
import dev.kubespan.discovery.grpc.etcd.TxnRequest;
import dev.kubespan.discovery.grpc.etcd.TxnResponse;
import dev.kubespan.discovery.grpc.etcd.WatchCreateRequest;
import dev.kubespan.discovery.grpc.etcd.WatchRequest;
import dev.kubespan.discovery.grpc.etcd.WatchResponse;
import dev.kubespan.api.Log;
import dev.kubespan.discovery.server.internal.state.AffiliateRecord;
import dev.kubespan.discovery.server.internal.state.AffiliateView;
import dev.kubespan.discovery.server.internal.state.Blob;
import dev.kubespan.discovery.server.internal.state.Clusters;
import dev.kubespan.discovery.server.internal.state.Limits;
import dev.kubespan.discovery.server.internal.state.Requests;
import dev.kubespan.discovery.server.internal.state.State;
import dev.kubespan.discovery.server.internal.state.StateBackend;
import dev.kubespan.discovery.server.internal.state.StateException;
import dev.kubespan.discovery.server.internal.state.Subscription;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;

/**
 * The etcd backend: several replicas share one state in etcd (layout in {@link EtcdKeys}).
 * <ul>
 * <li>Expiry is etcd's: every key carries a lease for its expiration ({@link EtcdLeases}).</li>
 * <li>Updates are transactions: the affiliate's keys are read at revision R, merged with the
 * same rule as in memory ({@link AffiliateRecord#merge}), and written only if nothing they read
 * changed after R (compare on mod/create revisions, also over key ranges); otherwise read again
 * and retry. Creating an affiliate also compares the whole affiliate range (and, for a new
 * cluster, the marker range), so the per-cluster limit and the server-wide caps hold exactly
 * however many replicas write at once.</li>
 * <li>Every replica mirrors the whole prefix into {@link Clusters} through one etcd watch; List
 * and the Watch snapshot are served from the mirror, and watchers get changes made on any
 * replica. An update returns once this replica's mirror has seen it (read-your-writes).</li>
 * <li>When etcd cannot be reached, writes fail with UNAVAILABLE, {@link #health()} says why,
 * reads keep serving the last state seen, and the watch is re-established from the last
 * revision (or the mirror resynchronised if etcd compacted that revision away).</li>
 * </ul>
 */
public final class EtcdState implements StateBackend {
    private static final int MAX_ATTEMPTS = 32;
    private static final byte VALUE_FORMAT = 1;
    /** A cluster marker outlives the latest expiration of its affiliates by this much (fewer marker writes). */
    private static final long MARKER_MARGIN_MS = 10 * 60_000;
    private static final long MIRROR_WAIT_MS = 5_000;
    private static final long PAGE = 1000;

    private final EtcdSettings settings;
    private final Limits limits;
    private final Log log;
    private final Consumer<String> errors;
    private final LongSupplier wallMillis;
    private final EtcdClient client;
    private final EtcdKeys keys;
    private final EtcdLeases leases;
    private final Clusters mirror;
    private final ScheduledThreadPoolExecutor scheduler;
    private final SecureRandom random = new SecureRandom();

    private final Object revisionLock = new Object();
    private long appliedRevision;
    private volatile boolean watchUp;
    private volatile String lastError = "";
    private volatile boolean closed;
    private ClientCallStreamObserver<WatchRequest> watchCall;
    /** Which watch stream is current; callbacks of an older one (cancelled by us) are ignored. */
    private volatile int watchGeneration;
    private long watchBackoffMs = 250;

    /**
     * Connects and loads the mirror; throws (and leaves nothing running) when etcd cannot be
     * read within the request timeout, so a replica never starts with an empty view.
     * {@code errors} counts failed etcd calls by operation.
     */
    public static EtcdState start(EtcdSettings settings, Limits limits, Log log, Consumer<String> errors)
            throws IOException {
        EtcdState s = new EtcdState(settings, limits, log, errors, System::currentTimeMillis);
        try {
            s.loadAndWatch();
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw new IOException("etcd " + settings.urls() + ": " + describe(e), e);
        }
    }

    private EtcdState(EtcdSettings settings, Limits limits, Log log, Consumer<String> errors,
            LongSupplier wallMillis) throws IOException {
        this.settings = settings;
        this.limits = limits;
        this.log = log;
        this.errors = errors;
        this.wallMillis = wallMillis;
        this.client = new EtcdClient(settings);
        this.keys = new EtcdKeys(settings.prefix());
        this.leases = new EtcdLeases(client, wallMillis);
        this.mirror = new Clusters(limits);
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "discovery-etcd-watch");
            t.setDaemon(true);
            return t;
        });
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Limits limits() {
        return limits;
    }

    @Override
    public void touch(String clusterId) {
        Requests.clusterId(limits, clusterId);
    }

    // ------------------------------------------------------------------ writes

    /** The affiliate's keys as read at one revision. */
    private record Read(long revision, KeyValue head, List<KeyValue> endpoints, KeyValue marker, long clusterAffiliates,
            long allAffiliates, long clusters) {
    }

    @Override
    public void update(String clusterId, String affiliateId, byte[] data, List<byte[]> endpoints, Duration ttl) {
        Requests.Update u = Requests.update(limits, clusterId, affiliateId, data, endpoints, ttl);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            if (attempt > 2) {
                pause(attempt);
            }
            Read read = read(clusterId, affiliateId, false, attempt == 0);
            boolean creating = read.head() == null;
            if (creating && !read.endpoints().isEmpty()) {
                // Endpoints outlived their affiliate (its lease ran out first): a new affiliate starts without them.
                dropOrphanEndpoints(clusterId, affiliateId);
                continue;
            }
            Boolean done = creating ? createLocked(u) : write(u, read, false);
            if (done != null) {
                return;
            }
        }
        throw StateException.unavailable("too many concurrent changes to this affiliate, try again");
    }

    /**
     * Creations on this replica go one at a time: each compares the whole affiliate range (the
     * caps), so concurrent ones of the same replica would only make each other retry.
     */
    private final Object creations = new Object();

    private Boolean createLocked(Requests.Update u) {
        synchronized (creations) {
            Read read = read(u.clusterId(), u.affiliateId(), true, false);
            if (read.head() != null || !read.endpoints().isEmpty()) {
                return null; // created meanwhile, or orphans to drop first: start over
            }
            if (read.clusterAffiliates() >= limits.maxAffiliatesPerCluster()) {
                throw StateException.exhausted("too many affiliates in the cluster", "cluster_affiliates");
            }
            if (read.marker() == null && read.clusterAffiliates() == 0 && read.clusters() >= limits.maxClusters()) {
                throw StateException.exhausted("too many clusters on this server", "clusters");
            }
            if (read.allAffiliates() >= limits.maxAffiliates()) {
                throw StateException.exhausted("too many affiliates on this server", "affiliates");
            }
            return write(u, read, true);
        }
    }

    /**
     * Merges the update into what was read and writes it guarded by the read revision; true when
     * written (or nothing to write), null when the guard failed and the caller must read again.
     */
    private Boolean write(Requests.Update u, Read read, boolean creating) {
        String clusterId = u.clusterId();
        String affiliateId = u.affiliateId();
        long expiresAt = roundUpToSecond(wallMillis.getAsLong() + u.ttlMillis());
        AffiliateRecord record = creating ? AffiliateRecord.create(affiliateId, expiresAt) : record(read);
        long headExpiresBefore = creating ? 0 : record.expiresAt();
        AffiliateRecord.Merge m = record.merge(u.data(), u.endpoints(), expiresAt,
                limits.maxEndpointsPerAffiliate(), creating);
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        try {
            ByteString head = keys.affiliate(clusterId, affiliateId);
            if (creating || m.dataWritten()) {
                txn.addSuccess(put(PutRequest.newBuilder().setKey(head).setValue(headValue(record.data()))
                        .setLease(leases.leaseFor(record.expiresAt()))));
            } else if (record.expiresAt() > headExpiresBefore) {
                txn.addSuccess(put(PutRequest.newBuilder().setKey(head).setIgnoreValue(true)
                        .setLease(leases.leaseFor(record.expiresAt()))));
            }
            for (Blob e : m.endpointsWritten()) {
                txn.addSuccess(put(PutRequest.newBuilder().setKey(keys.endpoint(clusterId, affiliateId, e))
                        .setLease(leases.leaseFor(record.endpoints().get(e)))));
            }
            long markerExpires = read.marker() == null ? 0 : EtcdLeases.expiresAtMillis(read.marker().getLease());
            if (txn.getSuccessCount() > 0 && markerExpires < record.expiresAt() + MARKER_MARGIN_MS / 2) {
                txn.addSuccess(put(PutRequest.newBuilder().setKey(keys.marker(clusterId))
                        .setLease(leases.leaseFor(record.expiresAt() + MARKER_MARGIN_MS))));
            }
        } catch (StatusRuntimeException e) {
            throw unavailable("lease", e);
        }
        if (txn.getSuccessCount() == 0) {
            if (m.error() != null) {
                throw m.error();
            }
            return Boolean.TRUE;
        }
        long r1 = read.revision() + 1;
        txn.addCompare(Compare.newBuilder().setKey(keys.affiliate(clusterId, affiliateId))
                .setTarget(Compare.CompareTarget.MOD).setResult(Compare.CompareResult.EQUAL)
                .setModRevision(creating ? 0 : read.head().getModRevision()));
        txn.addCompare(rangeBefore(keys.endpointsOf(clusterId, affiliateId), Compare.CompareTarget.MOD, r1));
        if (creating) {
            txn.addCompare(rangeBefore(keys.affiliates(), Compare.CompareTarget.CREATE, r1));
            if (read.marker() == null) {
                txn.addCompare(rangeBefore(keys.markers(), Compare.CompareTarget.CREATE, r1));
            }
        }
        TxnResponse done;
        try {
            done = client.txn(txn.build());
        } catch (StatusRuntimeException e) {
            if (EtcdLeases.isLeaseNotFound(e)) {
                leases.purge();
                forgetLeases(txn);
                return null;
            }
            throw unavailable("update", e);
        }
        markUp();
        if (!done.getSucceeded()) {
            return null;
        }
        awaitMirror(done.getHeader().getRevision());
        if (m.error() != null) {
            throw m.error();
        }
        return Boolean.TRUE;
    }

    @Override
    public void delete(String clusterId, String affiliateId) {
        Requests.clusterId(limits, clusterId);
        Requests.affiliateId(limits, affiliateId);
        ByteString eps = keys.endpointsOf(clusterId, affiliateId);
        TxnRequest txn = TxnRequest.newBuilder()
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                        DeleteRangeRequest.newBuilder().setKey(keys.affiliate(clusterId, affiliateId))))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                        DeleteRangeRequest.newBuilder().setKey(eps).setRangeEnd(EtcdKeys.rangeEnd(eps))))
                .build();
        TxnResponse done;
        try {
            done = client.txn(txn);
        } catch (StatusRuntimeException e) {
            throw unavailable("delete", e);
        }
        markUp();
        if (done.getResponses(0).getResponseDeleteRange().getDeleted() > 0) {
            awaitMirror(done.getHeader().getRevision());
        }
    }

    /** Reads the affiliate, its endpoints and its cluster's marker at one revision ({@code counts}: and the counts). */
    private Read read(String clusterId, String affiliateId, boolean counts, boolean serializable) {
        ByteString eps = keys.endpointsOf(clusterId, affiliateId);
        TxnRequest.Builder txn = TxnRequest.newBuilder()
                .addSuccess(range(RangeRequest.newBuilder().setKey(keys.affiliate(clusterId, affiliateId))
                        .setSerializable(serializable)))
                .addSuccess(range(RangeRequest.newBuilder().setKey(eps).setRangeEnd(EtcdKeys.rangeEnd(eps))
                        .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND)
                        .setSerializable(serializable)))
                .addSuccess(range(RangeRequest.newBuilder().setKey(keys.marker(clusterId)).setSerializable(serializable)));
        if (counts) {
            ByteString ofCluster = keys.affiliatesOf(clusterId);
            txn.addSuccess(range(RangeRequest.newBuilder().setKey(ofCluster).setRangeEnd(EtcdKeys.rangeEnd(ofCluster))
                    .setCountOnly(true)));
            txn.addSuccess(range(RangeRequest.newBuilder().setKey(keys.affiliates())
                    .setRangeEnd(EtcdKeys.rangeEnd(keys.affiliates())).setCountOnly(true)));
            txn.addSuccess(range(RangeRequest.newBuilder().setKey(keys.markers())
                    .setRangeEnd(EtcdKeys.rangeEnd(keys.markers())).setCountOnly(true)));
        }
        TxnResponse r;
        try {
            r = client.txn(txn.build());
        } catch (StatusRuntimeException e) {
            throw unavailable("read", e);
        }
        RangeResponse head = r.getResponses(0).getResponseRange();
        RangeResponse marker = r.getResponses(2).getResponseRange();
        return new Read(r.getHeader().getRevision(), head.getKvsCount() == 0 ? null : head.getKvs(0),
                r.getResponses(1).getResponseRange().getKvsList(),
                marker.getKvsCount() == 0 ? null : marker.getKvs(0),
                counts ? r.getResponses(3).getResponseRange().getCount() : 0,
                counts ? r.getResponses(4).getResponseRange().getCount() : 0,
                counts ? r.getResponses(5).getResponseRange().getCount() : 0);
    }

    private void dropOrphanEndpoints(String clusterId, String affiliateId) {
        ByteString eps = keys.endpointsOf(clusterId, affiliateId);
        try {
            client.txn(TxnRequest.newBuilder()
                    .addCompare(Compare.newBuilder().setKey(keys.affiliate(clusterId, affiliateId))
                            .setTarget(Compare.CompareTarget.VERSION).setResult(Compare.CompareResult.EQUAL).setVersion(0))
                    .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                            DeleteRangeRequest.newBuilder().setKey(eps).setRangeEnd(EtcdKeys.rangeEnd(eps))))
                    .build());
        } catch (StatusRuntimeException e) {
            throw unavailable("update", e);
        }
    }

    private AffiliateRecord record(Read read) {
        Map<Blob, Long> eps = new LinkedHashMap<>();
        for (KeyValue kv : read.endpoints()) {
            EtcdKeys.Parsed p = keys.parse(kv.getKey());
            if (p != null && p.kind() == EtcdKeys.Kind.ENDPOINT) {
                eps.put(p.endpoint(), EtcdLeases.expiresAtMillis(kv.getLease()));
            }
        }
        return new AffiliateRecord(keys.parse(read.head().getKey()).affiliateId(), headData(read.head().getValue()),
                EtcdLeases.expiresAtMillis(read.head().getLease()), eps);
    }

    private void forgetLeases(TxnRequest.Builder txn) {
        for (RequestOp op : txn.getSuccessList()) {
            if (op.hasRequestPut()) {
                leases.forget(op.getRequestPut().getLease());
            }
        }
    }

    /**
     * The affiliate value: a format byte, 8 random bytes and the data. The random part makes
     * every data write a visible change (an update with data always notifies, even with the same
     * bytes), while an expiration-only write keeps the value (PutRequest.ignore_value).
     */
    private ByteString headValue(Blob data) {
        ByteBuffer b = ByteBuffer.allocate(9 + data.size());
        b.put(VALUE_FORMAT).putLong(random.nextLong()).put(data.unsafeBytes());
        return ByteString.copyFrom(b.array());
    }

    private static Blob headData(ByteString value) {
        if (value.size() < 9 || value.byteAt(0) != VALUE_FORMAT) {
            return Blob.EMPTY;
        }
        return Blob.wrap(value.substring(9).toByteArray());
    }

    private static RequestOp put(PutRequest.Builder p) {
        return RequestOp.newBuilder().setRequestPut(p).build();
    }

    private static RequestOp range(RangeRequest.Builder r) {
        return RequestOp.newBuilder().setRequestRange(r).build();
    }

    /** Every key of the range has its {@code target} revision below {@code revision}. */
    private static Compare rangeBefore(ByteString prefix, Compare.CompareTarget target, long revision) {
        Compare.Builder c = Compare.newBuilder().setKey(prefix).setRangeEnd(EtcdKeys.rangeEnd(prefix)).setTarget(target)
                .setResult(Compare.CompareResult.LESS);
        return target == Compare.CompareTarget.CREATE ? c.setCreateRevision(revision).build()
                : c.setModRevision(revision).build();
    }

    private static long roundUpToSecond(long millis) {
        return (millis + 999) / 1000 * 1000;
    }

    private void pause(int attempt) {
        try {
            Thread.sleep(Math.min(50, 1L << Math.min(attempt, 5)) + random.nextInt(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StateException.unavailable("interrupted");
        }
    }

    private StateException unavailable(String operation, StatusRuntimeException e) {
        errors.accept(operation);
        String why = describe(e);
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
            markError(why);
        }
        return StateException.unavailable("state backend (etcd) unavailable: " + why);
    }

    // ------------------------------------------------------------------ reads and the mirror

    @Override
    public List<AffiliateView> list(String clusterId) {
        Requests.clusterId(limits, clusterId);
        return mirror.list(clusterId);
    }

    @Override
    public Subscription watch(String clusterId, Runnable signal) {
        Requests.clusterId(limits, clusterId);
        return mirror.subscribe(clusterId, signal);
    }

    /** Loads everything under the prefix at one revision into the mirror, then watches from the next one. */
    private void loadAndWatch() {
        long revision = load();
        synchronized (revisionLock) {
            appliedRevision = revision;
        }
        openWatch(revision + 1);
    }

    /** Reads the whole prefix page by page at one revision; replaces the mirror's content; returns the revision. */
    private long load() {
        Map<String, Map<String, KeyValue>> heads = new HashMap<>();
        Map<String, List<KeyValue>> endpoints = new HashMap<>();
        ByteString from = keys.all();
        ByteString end = EtcdKeys.rangeEnd(keys.all());
        long revision = 0;
        while (true) {
            RangeRequest.Builder rr = RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setLimit(PAGE);
            if (revision != 0) {
                rr.setRevision(revision);
            }
            RangeResponse page = client.txn(TxnRequest.newBuilder().addSuccess(range(rr)).build()).getResponses(0)
                    .getResponseRange();
            if (revision == 0) {
                revision = page.getHeader().getRevision();
            }
            for (KeyValue kv : page.getKvsList()) {
                EtcdKeys.Parsed p = keys.parse(kv.getKey());
                if (p == null) {
                    continue;
                }
                if (p.kind() == EtcdKeys.Kind.AFFILIATE) {
                    heads.computeIfAbsent(p.clusterId(), c -> new HashMap<>()).put(p.affiliateId(), kv);
                } else if (p.kind() == EtcdKeys.Kind.ENDPOINT) {
                    endpoints.computeIfAbsent(p.clusterId() + "\0" + p.affiliateId(), k -> new ArrayList<>()).add(kv);
                }
            }
            if (!page.getMore() || page.getKvsCount() == 0) {
                break;
            }
            ByteString last = page.getKvs(page.getKvsCount() - 1).getKey();
            from = last.concat(ByteString.copyFrom(new byte[] {0}));
        }
        // Replace the mirror: what is gone is announced as deleted, what changed as updated.
        for (String clusterId : mirror.clusterIds()) {
            Map<String, KeyValue> now = heads.getOrDefault(clusterId, Map.of());
            for (AffiliateView a : mirror.list(clusterId)) {
                if (!now.containsKey(a.id())) {
                    mirror.remove(clusterId, a.id());
                }
            }
        }
        for (Map.Entry<String, Map<String, KeyValue>> c : heads.entrySet()) {
            for (Map.Entry<String, KeyValue> a : c.getValue().entrySet()) {
                List<KeyValue> eps = endpoints.getOrDefault(c.getKey() + "\0" + a.getKey(), List.of());
                eps.sort(Comparator.comparingLong(KeyValue::getCreateRevision));
                AffiliateRecord r = recordOf(a.getKey(), a.getValue(), eps);
                AffiliateRecord before = mirror.get(c.getKey(), a.getKey());
                mirror.put(c.getKey(), r, before == null || !before.view().equals(r.view()));
            }
        }
        return revision;
    }

    private AffiliateRecord recordOf(String affiliateId, KeyValue head, List<KeyValue> eps) {
        Map<Blob, Long> m = new LinkedHashMap<>();
        for (KeyValue kv : eps) {
            EtcdKeys.Parsed p = keys.parse(kv.getKey());
            if (p != null && m.size() < limits.maxEndpointsPerAffiliate()) {
                m.put(p.endpoint(), EtcdLeases.expiresAtMillis(kv.getLease()));
            }
        }
        return new AffiliateRecord(affiliateId, headData(head.getValue()), EtcdLeases.expiresAtMillis(head.getLease()), m);
    }

    private void openWatch(long fromRevision) {
        if (closed) {
            return;
        }
        ByteString all = keys.all();
        int generation;
        synchronized (this) {
            generation = ++watchGeneration;
        }
        StreamObserver<WatchRequest> requests = client.watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
                synchronized (EtcdState.this) {
                    watchCall = call;
                }
            }

            @Override
            public void onNext(WatchResponse r) {
                if (generation == watchGeneration) {
                    onWatchResponse(r);
                }
            }

            @Override
            public void onError(Throwable t) {
                if (generation == watchGeneration) {
                    watchFailed(Status.fromThrowable(t));
                }
            }

            @Override
            public void onCompleted() {
                if (generation == watchGeneration) {
                    watchFailed(Status.UNAVAILABLE.withDescription("etcd ended the watch"));
                }
            }
        });
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(all)
                .setRangeEnd(EtcdKeys.rangeEnd(all)).setStartRevision(fromRevision).setProgressNotify(true)
                .setPrevKv(true)).build());
    }

    private void onWatchResponse(WatchResponse r) {
        if (r.getCreated()) {
            watchBackoffMs = 250;
            markUp();
        }
        if (r.getCanceled()) {
            if (r.getCompactRevision() > 0) {
                log.warn("etcd compacted revision " + (r.getCompactRevision() - 1)
                        + " before this replica read it; reloading the state", null);
                restartWatch(true, 0);
            } else {
                watchFailed(Status.UNAVAILABLE.withDescription("etcd canceled the watch: " + r.getCancelReason()));
            }
            return;
        }
        if (r.getEventsCount() == 0) {
            if (!r.getCreated()) {
                advance(r.getHeader().getRevision()); // progress notification: everything up to here was sent
                markUp();
            }
            return;
        }
        apply(r.getEventsList());
    }

    /** One affiliate touched by a batch of events. */
    private static final class Touched {
        AffiliateRecord record;
        boolean existed;
        boolean announce;
        boolean deleted;
    }

    private void apply(List<Event> events) {
        Map<String, Touched> touched = new LinkedHashMap<>();
        long last = 0;
        for (Event e : events) {
            KeyValue kv = e.getKv();
            last = Math.max(last, kv.getModRevision());
            EtcdKeys.Parsed p = keys.parse(kv.getKey());
            if (p == null || p.kind() == EtcdKeys.Kind.MARKER) {
                continue;
            }
            String k = p.clusterId() + "\0" + p.affiliateId();
            Touched t = touched.get(k);
            if (t == null) {
                t = new Touched();
                t.record = mirror.get(p.clusterId(), p.affiliateId());
                t.existed = t.record != null;
                touched.put(k, t);
            }
            boolean put = e.getType() == Event.EventType.PUT;
            if (p.kind() == EtcdKeys.Kind.AFFILIATE) {
                if (!put) {
                    t.record = null;
                    t.deleted = true;
                    continue;
                }
                Blob data = headData(kv.getValue());
                long expiresAt = EtcdLeases.expiresAtMillis(kv.getLease());
                if (t.record == null) {
                    t.record = new AffiliateRecord(p.affiliateId(), data, expiresAt, Map.of());
                    t.announce = true;
                    t.deleted = false;
                } else {
                    // An expiration-only write keeps the value (its random part); a data write never does.
                    t.announce |= kv.getVersion() == 1 || !e.hasPrevKv()
                            || !e.getPrevKv().getValue().equals(kv.getValue());
                    t.record = new AffiliateRecord(p.affiliateId(), data, expiresAt, t.record.endpoints());
                }
            } else if (t.record != null) {
                Map<Blob, Long> eps = new LinkedHashMap<>(t.record.endpoints());
                if (put) {
                    Long before = eps.put(p.endpoint(), EtcdLeases.expiresAtMillis(kv.getLease()));
                    t.announce |= before == null;
                } else {
                    t.announce |= eps.remove(p.endpoint()) != null;
                }
                t.record = new AffiliateRecord(t.record.id(), t.record.data(), t.record.expiresAt(), eps);
            }
        }
        for (Map.Entry<String, Touched> en : touched.entrySet()) {
            String clusterId = en.getKey().substring(0, en.getKey().indexOf('\0'));
            Touched t = en.getValue();
            if (t.record == null) {
                if (t.existed) {
                    mirror.remove(clusterId, en.getKey().substring(clusterId.length() + 1));
                }
            } else {
                mirror.put(clusterId, t.record, t.announce || !t.existed || t.deleted);
            }
        }
        advance(last);
    }

    private void advance(long revision) {
        synchronized (revisionLock) {
            if (revision > appliedRevision) {
                appliedRevision = revision;
                revisionLock.notifyAll();
            }
        }
    }

    /** Waits until the mirror has applied {@code revision} (our own write), at most a few seconds. */
    private void awaitMirror(long revision) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MIRROR_WAIT_MS);
        synchronized (revisionLock) {
            while (appliedRevision < revision) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return; // the write is in etcd; the watch will bring it
                }
                try {
                    revisionLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void watchFailed(Status status) {
        if (closed) {
            return;
        }
        if (status.getCode() == Status.Code.UNAUTHENTICATED
                || (status.getDescription() != null && status.getDescription().contains("auth token"))) {
            client.invalidateToken();
        }
        errors.accept("watch");
        markError("watch: " + describe(status.asRuntimeException()));
        long delay = watchBackoffMs;
        watchBackoffMs = Math.min(5_000, watchBackoffMs * 2);
        restartWatch(false, delay);
    }

    private void restartWatch(boolean reload, long delayMs) {
        cancelWatch();
        try {
            scheduler.schedule(() -> {
                try {
                    if (reload) {
                        long revision = load();
                        synchronized (revisionLock) {
                            appliedRevision = Math.max(appliedRevision, revision);
                        }
                    }
                    long from;
                    synchronized (revisionLock) {
                        from = appliedRevision + 1;
                    }
                    openWatch(from);
                } catch (RuntimeException e) {
                    errors.accept("watch");
                    markError("watch: " + describe(e));
                    restartWatch(reload, Math.min(5_000, Math.max(250, delayMs * 2)));
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closing
        }
    }

    private synchronized void cancelWatch() {
        ClientCallStreamObserver<WatchRequest> c = watchCall;
        watchCall = null;
        watchGeneration++;
        if (c != null) {
            c.cancel("restarting the watch", null);
        }
    }

    private void markUp() {
        if (!watchUp) {
            watchUp = true;
            if (!lastError.isEmpty()) {
                log.info("etcd available again (" + settings.urls() + ")");
            }
            lastError = "";
        }
    }

    private void markError(String why) {
        boolean wasUp = watchUp || lastError.isEmpty();
        watchUp = false;
        lastError = why;
        if (wasUp) {
            log.warn("etcd unavailable (" + settings.urls() + "): " + why
                    + "; writes fail with UNAVAILABLE, reads serve the last state seen", null);
        } else {
            log.debug("etcd still unavailable: " + why);
        }
    }

    static String describe(Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            Status st = s.getStatus();
            String d = st.getDescription();
            Throwable root = st.getCause();
            while (root != null && root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root != null && root.getMessage() != null) {
                // grpc says "io exception" or "ssl exception"; the cause says what (refused, untrusted, ...)
                d = (d == null || d.isEmpty() ? "" : d + ": ") + root.getMessage();
            }
            String what = st.getCode() + (d == null || d.isEmpty() ? "" : " " + d);
            return st.getCode() == Status.Code.UNAVAILABLE ? "no etcd member reachable (" + what + ")"
                    : st.getCode() == Status.Code.DEADLINE_EXCEEDED ? "etcd did not answer in time (" + what + ")" : what;
        }
        return String.valueOf(e.getMessage());
    }

    // ------------------------------------------------------------------ housekeeping

    /** etcd expires by itself; here only idle clusters leave the mirror and passed leases the cache. */
    @Override
    public State.GcResult gc() {
        leases.purge();
        State.GcResult r = mirror.gc(wallMillis.getAsLong(), false, null);
        return new State.GcResult(r.removedClusters(), 0);
    }

    @Override
    public void closeAllSubscriptions() {
        mirror.closeAll();
    }

    @Override
    public State.Stats stats() {
        return mirror.stats();
    }

    @Override
    public Health health() {
        return watchUp ? new Health(true, "etcd " + settings.urls())
                : new Health(false, "etcd unavailable: " + lastError);
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        cancelWatch();
        client.close();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
