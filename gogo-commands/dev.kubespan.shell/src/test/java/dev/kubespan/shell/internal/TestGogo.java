package dev.kubespan.shell.internal;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;

/**
 * One Gogo ThreadIO for the whole test JVM: it replaces System.out globally, and a pipe thread
 * still finishing from an earlier test would re-install it after a stop(), so it is started once
 * and left running, as in a real framework.
 */
public final class TestGogo {
    private static ThreadIOImpl threadIo;

    private TestGogo() {
    }

    public static synchronized CommandProcessorImpl processor() {
        if (threadIo == null) {
            threadIo = new ThreadIOImpl();
            threadIo.start();
        }
        return new CommandProcessorImpl(threadIo);
    }
}
