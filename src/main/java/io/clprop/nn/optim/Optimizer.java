package io.clprop.nn.optim;

import io.clprop.backend.Tensor;
import io.clprop.nn.Network;

import java.util.List;

/**
 * An update rule applied to the whole parameter buffer in one operation per step. Its state (velocity,
 * moments) lives on the same backend as the network, in buffers of the parameters' layout, so checkpoints
 * and the shadow check can read it and write it back.
 */
public interface Optimizer extends AutoCloseable {

    /** One update of {@code net}'s parameters from its gradient buffer, with this step's learning rate. */
    void step(Network net, float learningRate);

    /** The state buffers, in a fixed order (empty for plain SGD). */
    List<Tensor> state();

    /** Names of the state buffers, as stored in checkpoints ("velocity"; "adam_m", "adam_s"). */
    List<String> stateNames();

    /** Updates applied so far (Adam's t; kept so a resumed run continues its bias correction). */
    long steps();

    void setSteps(long steps);

    /** Frees the state buffers. */
    @Override
    void close();
}
