package dev.kubespan.config.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Calls back on any change in the directory of the config file. Any event counts, not only the
 * file's own name: editors replace files by renaming, and mounted configs swap symlinks; the
 * callback compares contents, so a spurious wake costs one small read. When the directory does
 * not exist (yet), registration is retried; the controller's periodic check covers the gap.
 */
final class DirectoryWatch implements AutoCloseable {
    private static final long RETRY_MILLIS = 2000;

    private final Path dir;
    private final Runnable onChange;
    private final WatchService service;
    private final Thread thread;
    private volatile boolean closed;

    DirectoryWatch(Path file, Runnable onChange) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        this.dir = parent == null ? file.toAbsolutePath().getRoot() : parent;
        this.onChange = onChange;
        this.service = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::run, "kubespan-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        WatchKey key = null;
        try {
            while (!closed) {
                if (key == null || !key.isValid()) {
                    try {
                        key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
                        onChange.run(); // the directory (re)appeared: the file may have changed unseen
                    } catch (IOException e) {
                        key = null;
                        Thread.sleep(RETRY_MILLIS);
                        continue;
                    }
                }
                WatchKey k = service.poll(RETRY_MILLIS, TimeUnit.MILLISECONDS);
                if (k == null) {
                    continue;
                }
                boolean any = !k.pollEvents().isEmpty();
                if (!k.reset()) {
                    key = null;
                }
                if (any) {
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            // nothing more to release
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
