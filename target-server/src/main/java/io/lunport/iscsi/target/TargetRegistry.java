package io.lunport.iscsi.target;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every target the server offers and every portal it listens on: what discovery reports
 * and what a login looks up. Safe to read from any event loop.
 */
public final class TargetRegistry {

    private final Map<String, IscsiTarget> targets = new ConcurrentHashMap<>();
    private final List<Portal> portals = new CopyOnWriteArrayList<>();
    private volatile ChapCredentials discoveryChap;

    public void add(IscsiTarget target) {
        if (targets.putIfAbsent(target.name(), target) != null) {
            throw new IllegalArgumentException("target " + target.name() + " is defined twice");
        }
    }

    public IscsiTarget find(String name) {
        return targets.get(name);
    }

    public Collection<IscsiTarget> targets() {
        return targets.values();
    }

    public void addPortal(Portal portal) {
        portals.add(portal);
    }

    public List<Portal> portals() {
        return portals;
    }

    /** CHAP for discovery sessions, or null for none. */
    public ChapCredentials discoveryChap() {
        return discoveryChap;
    }

    public void setDiscoveryChap(ChapCredentials chap) {
        this.discoveryChap = chap;
    }
}
