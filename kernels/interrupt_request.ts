/**
 * Sends one Jupyter `interrupt_request` to a kernel's control channel, as a front end in
 * `interrupt_mode: "message"` does: Deno's kernel answers it by terminating the JavaScript that is running
 * (a synchronous loop), which nothing else can stop.
 *
 * Written by hand because no maintained ZeroMQ client runs in Deno without native add-ons, and one request
 * needs little: ZMTP 3.0 with the NULL mechanism (64-byte greeting, READY command with `Socket-Type`
 * DEALER), then the Jupyter wire message `<IDS|MSG>, signature, header, parent, metadata, content` signed
 * with HMAC-SHA256 over the last four. Specs: rfc.zeromq.org/spec/23 (ZMTP 3.0) and jupyter-client's
 * messaging docs ("The Wire Protocol").
 *
 * @module
 */

/** The fields of a Jupyter connection file this needs. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  control_port: number;
  key: string;
  signature_scheme?: string;
}

const enc = new TextEncoder();

function frame(body: Uint8Array, more: boolean, command = false): Uint8Array {
  const long = body.length > 255;
  const head = new Uint8Array(long ? 9 : 2);
  head[0] = (more ? 0x01 : 0) | (long ? 0x02 : 0) | (command ? 0x04 : 0);
  if (long) new DataView(head.buffer).setBigUint64(1, BigInt(body.length));
  else head[1] = body.length;
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), at += p.length);
  return out;
}

async function readExact(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  for (let at = 0; at < n;) {
    const got = await conn.read(buf.subarray(at));
    if (got === null) throw new Error("the kernel closed the control connection");
    at += got;
  }
  return buf;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** Reads one ZMTP frame; returns its body and whether more frames of the same message follow. */
async function readFrame(conn: Deno.Conn): Promise<{ body: Uint8Array; more: boolean }> {
  const [flags] = await readExact(conn, 1);
  const size = flags & 0x02
    ? Number(new DataView((await readExact(conn, 8)).buffer).getBigUint64(0))
    : (await readExact(conn, 1))[0];
  return { body: await readExact(conn, size), more: (flags & 0x01) !== 0 };
}

async function sign(key: string, parts: Uint8Array[]): Promise<string> {
  if (!key) return "";
  const k = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, concat(parts)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Connects to the control port in `info`, sends `interrupt_request` and waits (at most `timeoutMs`) for
 * the kernel's reply. Resolves when the reply arrived; rejects when the kernel cannot be reached or does
 * not answer in time.
 *
 * @example
 * ```ts ignore
 * import { sendInterruptRequest } from "./interrupt_request.ts";
 * const info = JSON.parse(await Deno.readTextFile("/run/user/1000/jupyter/kernel-1.json"));
 * await sendInterruptRequest(info);
 * ```
 */
export async function sendInterruptRequest(info: ConnectionInfo, timeoutMs = 3000): Promise<void> {
  if (info.signature_scheme && info.signature_scheme !== "hmac-sha256") {
    throw new Error(`interrupt: signature scheme ${info.signature_scheme} is not supported (hmac-sha256 is)`);
  }
  const conn = info.transport === "ipc"
    ? await Deno.connect({ transport: "unix", path: `${info.ip}-${info.control_port}` })
    : await Deno.connect({ hostname: info.ip, port: info.control_port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const greeting = new Uint8Array(64);
    greeting.set([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 0]);
    greeting.set(enc.encode("NULL"), 12);
    await writeAll(conn, greeting);
    await readExact(conn, 64);
    const [name, prop, value] = [enc.encode("READY"), enc.encode("Socket-Type"), enc.encode("DEALER")];
    const valueLength = new Uint8Array(4);
    new DataView(valueLength.buffer).setUint32(0, value.length);
    const ready = concat([
      Uint8Array.of(name.length),
      name,
      Uint8Array.of(prop.length),
      prop,
      valueLength,
      value,
    ]);
    await writeAll(conn, frame(ready, false, true));
    await readFrame(conn); // the kernel's READY
    const header = {
      msg_id: crypto.randomUUID(),
      session: crypto.randomUUID(),
      username: "trainlarge-launcher",
      date: new Date().toISOString(),
      msg_type: "interrupt_request",
      version: "5.3",
    };
    const signed = [header, {}, {}, {}].map((part) => enc.encode(JSON.stringify(part)));
    const parts = [enc.encode("<IDS|MSG>"), enc.encode(await sign(info.key, signed)), ...signed];
    await writeAll(conn, concat(parts.map((p, i) => frame(p, i < parts.length - 1))));
    for (let f = await readFrame(conn); f.more; f = await readFrame(conn)); // the interrupt_reply
  } catch (error) {
    throw new Error(`interrupt: no reply from the kernel's control port ${info.ip}:${info.control_port}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}
