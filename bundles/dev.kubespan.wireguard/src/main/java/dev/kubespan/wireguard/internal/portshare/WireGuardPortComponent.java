package dev.kubespan.wireguard.internal.portshare;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import dev.kubespan.api.Log;
import dev.kubespan.api.wireguard.WireGuardPort;
import dev.kubespan.net.netlink.Libc;

/** The {@link WireGuardPort} service over raw sockets ({@link RawPortShare}). */
@Component(service = WireGuardPort.class)
public final class WireGuardPortComponent implements WireGuardPort {
    private final Log log;

    @Activate
    public WireGuardPortComponent(@Reference(service = LoggerFactory.class) Logger logger) {
        this.log = Log.of(logger);
    }

    @Override
    public Share open(int port, Receiver receiver) {
        return new RawPortShare(Libc.get(), port, receiver, log);
    }
}
