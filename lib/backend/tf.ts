/**
 * The one tfjs import the rest of the library uses.
 *
 * Every other file imports `tf` from here, so the gradient registrations and engine flags below are applied
 * exactly once, before any tensor exists.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { tf } from "./tf.ts";
 * const y = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
 * assert((await y.data())[0] === 3);
 * y.dispose();
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs";

// The union package is imported for its side effect only: it registers every gradient (tfjs-core alone
// registers none, and its per-gradient ES modules use extensionless imports that Deno cannot resolve).
// tfjs prints a "you are running in Node.js, install tfjs-node" banner on first use of the cpu backend; library
// code prints nothing, and the backend choice is explained by `useBackend` instead.
tf.env().set("PROD", true);

export { tf };

/** A tfjs tensor. Public signatures use this alias so the API docs need not re-document tfjs. */
export type Tensor = tf.Tensor;
/** A tfjs rank-0 tensor. */
export type Scalar = tf.Scalar;
/** A tfjs rank-1 tensor, e.g. a bias vector. */
export type Tensor1D = tf.Tensor1D;
/** A tfjs rank-2 tensor, e.g. activations (B·T, C) or a weight matrix. */
export type Tensor2D = tf.Tensor2D;
/** A tfjs rank-4 tensor, e.g. attention scores (B, nHead, T, T). */
export type Tensor4D = tf.Tensor4D;
/** A tfjs variable: a tensor that training updates in place. */
export type Variable = tf.Variable;
