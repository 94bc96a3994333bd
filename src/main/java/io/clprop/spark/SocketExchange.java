package io.clprop.spark;

import io.clprop.train.ShardExchange;
import org.apache.spark.BarrierTaskContext;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ShardExchange} over TCP between a barrier stage's tasks, set up once through the stage's own
 * {@link BarrierTaskContext#allGather}: the first task listens on a free port of its executor's address and
 * publishes it, every other task connects and says its number. Each step, every other task sends its message
 * to the first, which sends every message back in shard order (a star: 2·(N−1) messages out of the first
 * task and N−1 in, (N−1)·(N+1)·(P+2)·4 bytes a step).
 *
 * <p>Why not {@code allGather} every step: in Spark 3.5 a task waiting in {@code allGather} (or
 * {@code barrier}) checks for the reply once a second ({@code Thread.sleep(1000)} in
 * {@code BarrierTaskContext.runBarrier}), so every step cost a second (measured: 25 steps in 25.2 s). Barrier
 * mode is Spark's way to start tasks together for exactly this kind of direct exchange (as MPI jobs on Spark
 * do); a task that fails fails the stage, which Spark retries whole.
 */
final class SocketExchange implements ShardExchange, AutoCloseable {
    /** How long a read waits before checking whether Spark killed the task, and trying again. */
    private static final int POLL_MS = 10_000;

    private final BarrierTaskContext context;
    private final int shard;
    private final int shards;
    private ServerSocket server;
    /** The first task's connections, by shard number (index 0 unused); or, for another task, its one. */
    private final Socket[] sockets;
    private final DataInputStream[] in;
    private final DataOutputStream[] out;

    SocketExchange(BarrierTaskContext context) {
        this.context = context;
        this.shard = context.partitionId();
        this.shards = context.getTaskInfos().length;
        this.sockets = new Socket[shards];
        this.in = new DataInputStream[shards];
        this.out = new DataOutputStream[shards];
        try {
            String published = "";
            if (shard == 0) {
                String host = hostOf(context.getTaskInfos()[0].address());
                server = new ServerSocket();
                server.bind(new InetSocketAddress(InetAddress.getByName(host), 0), shards);
                server.setSoTimeout(POLL_MS);
                published = host + ":" + server.getLocalPort();
            }
            String[] all = context.allGather(published);
            if (shard == 0) {
                for (int accepted = 1; accepted < shards; accepted++) {
                    Socket s = accept();
                    DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
                    int from = i.readInt();
                    if (from < 1 || from >= shards || sockets[from] != null) {
                        throw new IOException("a connection said it is task " + from + " of " + shards);
                    }
                    attach(from, s, i);
                }
            } else {
                String[] hostPort = all[0].split(":");
                Socket s = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
                attach(0, s, new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16)));
                out[0].writeInt(shard);
                out[0].flush();
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("task " + shard + " could not connect to the other tasks", e);
        }
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    private Socket accept() throws IOException {
        while (true) {
            try {
                return server.accept();
            } catch (SocketTimeoutException e) {
                context.killTaskIfInterrupted();
            }
        }
    }

    private void attach(int peer, Socket s, DataInputStream i) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout(POLL_MS);
        sockets[peer] = s;
        in[peer] = i;
        out[peer] = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
    }

    @Override
    public int shard() {
        return shard;
    }

    @Override
    public int shards() {
        return shards;
    }

    @Override
    public List<float[]> allGather(float[] mine) {
        try {
            List<float[]> all = new ArrayList<>(shards);
            if (shard == 0) {
                all.add(mine.clone());
                for (int t = 1; t < shards; t++) {
                    all.add(read(t));
                }
                for (int t = 1; t < shards; t++) {
                    out[t].writeInt(shards);
                    for (float[] m : all) {
                        write(t, m);
                    }
                    out[t].flush();
                }
            } else {
                write(0, mine);
                out[0].flush();
                int n = readInt(0);
                if (n != shards) {
                    throw new IOException("the first task sent " + n + " messages, expected " + shards);
                }
                for (int t = 0; t < shards; t++) {
                    all.add(read(0));
                }
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("task " + shard + ": the exchange with the other tasks failed", e);
        }
    }

    private void write(int peer, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        out[peer].writeInt(v.length);
        out[peer].write(b.array());
    }

    private float[] read(int peer) throws IOException {
        int n = readInt(peer);
        if (n < 0 || n > (Integer.MAX_VALUE - 8) / 4) {
            throw new IOException("a message of " + n + " floats");
        }
        byte[] bytes = new byte[4 * n];
        int done = 0;
        while (done < bytes.length) {
            try {
                int got = in[peer].read(bytes, done, bytes.length - done);
                if (got < 0) {
                    throw new IOException("task " + peer + " closed the connection");
                }
                done += got;
            } catch (SocketTimeoutException e) {
                context.killTaskIfInterrupted();
            }
        }
        float[] v = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private int readInt(int peer) throws IOException {
        while (true) {
            try {
                return in[peer].readInt();
            } catch (SocketTimeoutException e) {
                context.killTaskIfInterrupted();
            }
        }
    }

    @Override
    public void close() {
        for (Socket s : sockets) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing: nothing left to tell
                }
            }
        }
        if (server != null) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing: nothing left to tell
            }
        }
    }
}
