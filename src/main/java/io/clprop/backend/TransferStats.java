package io.clprop.backend;

/**
 * Counts of host↔device traffic and blocking waits, kept by the one place in each backend that enqueues
 * transfers and waits. This is how "nothing leaves the device per step" is tested rather than asserted.
 * Device-to-device bytes are those another device of the same context sends this one (data-parallel
 * training's exchange of gradients and weights), counted on the receiving device.
 */
public final class TransferStats {
    private long hostToDeviceBytes;
    private long deviceToHostBytes;
    private long blockingWaits;
    private long deviceToDeviceBytes;

    public void hostToDevice(long bytes) { hostToDeviceBytes += bytes; }
    public void deviceToHost(long bytes) { deviceToHostBytes += bytes; }
    public void blockingWait() { blockingWaits++; }
    public void fromOtherDevice(long bytes) { deviceToDeviceBytes += bytes; }

    public long hostToDeviceBytes() { return hostToDeviceBytes; }
    public long deviceToHostBytes() { return deviceToHostBytes; }
    public long blockingWaits() { return blockingWaits; }
    public long deviceToDeviceBytes() { return deviceToDeviceBytes; }

    public TransferStats snapshot() {
        TransferStats s = new TransferStats();
        s.hostToDeviceBytes = hostToDeviceBytes;
        s.deviceToHostBytes = deviceToHostBytes;
        s.blockingWaits = blockingWaits;
        s.deviceToDeviceBytes = deviceToDeviceBytes;
        return s;
    }

    /** This and {@code other} added up (the traffic of several devices). */
    public TransferStats plus(TransferStats other) {
        TransferStats s = new TransferStats();
        s.hostToDeviceBytes = hostToDeviceBytes + other.hostToDeviceBytes;
        s.deviceToHostBytes = deviceToHostBytes + other.deviceToHostBytes;
        s.blockingWaits = blockingWaits + other.blockingWaits;
        s.deviceToDeviceBytes = deviceToDeviceBytes + other.deviceToDeviceBytes;
        return s;
    }

    /** This minus an earlier snapshot. */
    public TransferStats since(TransferStats earlier) {
        TransferStats s = new TransferStats();
        s.hostToDeviceBytes = hostToDeviceBytes - earlier.hostToDeviceBytes;
        s.deviceToHostBytes = deviceToHostBytes - earlier.deviceToHostBytes;
        s.blockingWaits = blockingWaits - earlier.blockingWaits;
        s.deviceToDeviceBytes = deviceToDeviceBytes - earlier.deviceToDeviceBytes;
        return s;
    }

    @Override
    public String toString() {
        return "h2d=" + hostToDeviceBytes + "B d2h=" + deviceToHostBytes + "B waits=" + blockingWaits
                + (deviceToDeviceBytes > 0 ? " d2d=" + deviceToDeviceBytes + "B" : "");
    }
}
