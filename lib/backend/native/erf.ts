/**
 * erf(x) as the rational x·P(x²)/Q(x²) on [−4, 4] (Eigen's and XLA's float32 erf; erf(±4) rounds to ±1 in
 * float32): the one copy of its coefficients, spliced into the SIMD kernels' WebAssembly text
 * (`simd/wat.ts`, the native GELU). Maximum absolute error 7e-8 against a float64 series, half that of
 * tfjs's Abramowitz & Stegun 7.1.26 (1.5e-7), and no exp.
 *
 * @module
 */

/** P's coefficients, highest power of x² first. */
export const ERF_P: readonly number[] = [
  -2.72614225801306e-10,
  2.77068142495902e-8,
  -2.10102402082508e-6,
  -5.69250639462346e-5,
  -7.34990630326855e-4,
  -2.95459980854025e-3,
  -1.60960333262415e-2,
];

/** Q's coefficients, highest power of x² first. */
export const ERF_Q: readonly number[] = [
  -1.45660718464996e-5,
  -2.13374055278905e-4,
  -1.68282697438203e-3,
  -7.37332916720468e-3,
  -1.42647390514189e-2,
];
