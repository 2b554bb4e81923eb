// A tiny PNG encoder and decoder (node:zlib only), enough to draw the Teams icons and to check
// the icons that go into the app package: size, colour type and, for the outline icon, that
// every pixel is white or fully transparent.
import { deflateSync, inflateSync } from "node:zlib";

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGBA image, row-major, 4 bytes a pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Encodes 8-bit RGBA (colour type 6), no interlace, filter 0 on every row. */
export function encodePng(image: RgbaImage): Buffer {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) throw new Error("encodePng: data length must be width*height*4");
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    Buffer.from(data.buffer, data.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from(SIGNATURE),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

export class PngError extends Error {}

interface RawChunk {
  type: string;
  data: Buffer;
}

function readChunks(bytes: Uint8Array): RawChunk[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(Buffer.from(SIGNATURE))) {
    throw new PngError("not a PNG file (bad signature)");
  }
  const chunks: RawChunk[] = [];
  let pos = 8;
  while (pos + 12 <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    if (pos + 12 + len > buf.length) throw new PngError(`truncated ${type} chunk`);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    const crc = buf.readUInt32BE(pos + 8 + len);
    if (crc !== crc32(buf.subarray(pos + 4, pos + 8 + len))) throw new PngError(`bad CRC in ${type} chunk`);
    chunks.push({ type, data });
    pos += 12 + len;
    if (type === "IEND") break;
  }
  if (chunks[0]?.type !== "IHDR") throw new PngError("first chunk is not IHDR");
  return chunks;
}

function parseIhdr(data: Buffer): PngInfo {
  if (data.length !== 13) throw new PngError("IHDR has the wrong length");
  return {
    width: data.readUInt32BE(0),
    height: data.readUInt32BE(4),
    bitDepth: data[8] ?? 0,
    colorType: data[9] ?? 0,
    interlace: data[12] ?? 0,
  };
}

/** Reads the size and format from the IHDR chunk (checks signature and CRCs). */
export function readPngInfo(bytes: Uint8Array): PngInfo {
  const first = readChunks(bytes)[0];
  if (!first) throw new PngError("no IHDR chunk");
  return parseIhdr(first.data);
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes a non-interlaced PNG of bit depth 8 or 16 (any colour type) to 8-bit RGBA.
 * 16-bit samples keep their high byte. Other bit depths and interlacing raise PngError.
 */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const chunks = readChunks(bytes);
  const first = chunks[0];
  if (!first) throw new PngError("no IHDR chunk");
  const info = parseIhdr(first.data);
  const channels = CHANNELS[info.colorType];
  if (channels === undefined) throw new PngError(`unknown colour type ${info.colorType}`);
  if (info.bitDepth !== 8 && info.bitDepth !== 16) {
    throw new PngError(`bit depth ${info.bitDepth} is not supported by this checker (use 8 or 16)`);
  }
  if (info.colorType === 3 && info.bitDepth !== 8) throw new PngError("palette images must be 8-bit");
  if (info.interlace !== 0) throw new PngError("interlaced PNGs are not supported by this checker");

  const palette = chunks.find((c) => c.type === "PLTE")?.data;
  const trns = chunks.find((c) => c.type === "tRNS")?.data;
  const idat = Buffer.concat(chunks.filter((c) => c.type === "IDAT").map((c) => c.data));
  let raw: Buffer;
  try {
    raw = inflateSync(idat);
  } catch (e) {
    throw new PngError(`IDAT does not inflate: ${(e as Error).message}`);
  }
  const bytesPerSample = info.bitDepth / 8;
  const bpp = channels * bytesPerSample;
  const stride = info.width * bpp;
  if (raw.length < (stride + 1) * info.height) throw new PngError("image data is shorter than IHDR says");

  const pixels = Buffer.alloc(stride * info.height);
  for (let y = 0; y < info.height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const cur = raw[src + x] ?? 0;
      const a = x >= bpp ? (pixels[dst + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (pixels[dst - stride + x] ?? 0) : 0;
      const c = x >= bpp && y > 0 ? (pixels[dst - stride + x - bpp] ?? 0) : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = cur;
          break;
        case 1:
          v = cur + a;
          break;
        case 2:
          v = cur + b;
          break;
        case 3:
          v = cur + ((a + b) >> 1);
          break;
        case 4:
          v = cur + paeth(a, b, c);
          break;
        default:
          throw new PngError(`row ${y} has unknown filter type ${String(filter)}`);
      }
      pixels[dst + x] = v & 0xff;
    }
  }

  const out = new Uint8Array(info.width * info.height * 4);
  const sample = (i: number): number => pixels[i * bytesPerSample] ?? 0; // high byte of sample i
  const sample16 = (i: number): number =>
    bytesPerSample === 2 ? ((pixels[i * 2] ?? 0) << 8) | (pixels[i * 2 + 1] ?? 0) : (pixels[i] ?? 0);
  const trnsValue = (k: number): number | undefined => (trns && trns.length >= (k + 1) * 2 ? trns.readUInt16BE(k * 2) : undefined);

  for (let p = 0; p < info.width * info.height; p++) {
    const s = p * channels;
    let r: number, g: number, bl: number, al: number;
    switch (info.colorType) {
      case 0: {
        r = g = bl = sample(s);
        al = trnsValue(0) === sample16(s) ? 0 : 255;
        break;
      }
      case 2: {
        r = sample(s);
        g = sample(s + 1);
        bl = sample(s + 2);
        const t = [trnsValue(0), trnsValue(1), trnsValue(2)];
        al = t[0] === sample16(s) && t[1] === sample16(s + 1) && t[2] === sample16(s + 2) ? 0 : 255;
        break;
      }
      case 3: {
        const idx = pixels[p] ?? 0;
        if (!palette || idx * 3 + 2 >= palette.length) throw new PngError(`palette index ${idx} out of range`);
        r = palette[idx * 3] ?? 0;
        g = palette[idx * 3 + 1] ?? 0;
        bl = palette[idx * 3 + 2] ?? 0;
        al = trns && idx < trns.length ? (trns[idx] ?? 255) : 255;
        break;
      }
      case 4: {
        r = g = bl = sample(s);
        al = sample(s + 1);
        break;
      }
      default: {
        r = sample(s);
        g = sample(s + 1);
        bl = sample(s + 2);
        al = sample(s + 3);
      }
    }
    out[p * 4] = r;
    out[p * 4 + 1] = g;
    out[p * 4 + 2] = bl;
    out[p * 4 + 3] = al;
  }
  return { width: info.width, height: info.height, data: out };
}
