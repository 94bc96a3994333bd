package io.clprop.spark;

import io.clprop.train.ShardExchange;
import org.apache.spark.BarrierTaskContext;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@link ShardExchange} through Spark's barrier stage: {@link BarrierTaskContext#allGather} carries every
 * task's message, as Base64 of its floats' little-endian bytes (allGather takes strings), through the driver
 * and returns them in partition order. About 1.33 × 4·P bytes a task a step each way: fine for networks of
 * up to a few million parameters; beyond, a shuffle of the gradient's slices (each task reducing one) would
 * move the same bytes without the driver in the middle.
 */
final class BarrierExchange implements ShardExchange {
    private final BarrierTaskContext context;

    BarrierExchange(BarrierTaskContext context) {
        this.context = context;
    }

    @Override
    public int shard() {
        return context.partitionId();
    }

    @Override
    public int shards() {
        return context.getTaskInfos().length;
    }

    @Override
    public List<float[]> allGather(float[] mine) {
        String[] all = context.allGather(encode(mine));
        List<float[]> out = new ArrayList<>(all.length);
        for (String s : all) {
            out.add(decode(s));
        }
        return out;
    }

    static String encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static float[] decode(String s) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(s)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }
}
