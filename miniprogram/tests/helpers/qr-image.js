/**
 * Reading back a drawn QR code in tests: a fake <canvas type="2d"> node whose context paints fillRect into real
 * RGBA pixels, and jsQR to decode them (so a test checks what a scanner would read, not how the code was built).
 */
const jsQR = require('jsqr');

/** A canvas 2d node: width / height set by the drawer, getContext('2d') with fillStyle + fillRect on RGBA pixels. */
function fakeCanvas() {
  const canvas = { width: 300, height: 150, pixels: null, rects: 0 };
  const ctx = {
    fillStyle: '#000000',
    fillRect(x, y, w, h) {
      if (!canvas.pixels || canvas.pixels.length !== canvas.width * canvas.height * 4) {
        canvas.pixels = new Uint8ClampedArray(canvas.width * canvas.height * 4);
      }
      const value = /^#f/i.test(ctx.fillStyle) ? 255 : 0;
      canvas.rects += 1;
      for (let row = Math.max(0, y); row < Math.min(canvas.height, y + h); row += 1) {
        for (let col = Math.max(0, x); col < Math.min(canvas.width, x + w); col += 1) {
          const i = (row * canvas.width + col) * 4;
          canvas.pixels[i] = value;
          canvas.pixels[i + 1] = value;
          canvas.pixels[i + 2] = value;
          canvas.pixels[i + 3] = 255;
        }
      }
    },
  };
  canvas.getContext = (kind) => (kind === '2d' ? ctx : null);
  return canvas;
}

/** What a scanner reads on the canvas: {data, version} or null. */
function readCanvas(canvas) {
  const found = jsQR(canvas.pixels, canvas.width, canvas.height);
  return found ? { data: found.data, version: found.version } : null;
}

/** What a scanner reads from bare modules (true = dark), drawn `scale` pixels a module with a 4-module border. */
function readModules(modules, scale = 4) {
  const size = (modules.length + 8) * scale;
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  modules.forEach((row, r) => row.forEach((dark, c) => {
    if (!dark) return;
    for (let y = 0; y < scale; y += 1) {
      for (let x = 0; x < scale; x += 1) {
        const i = (((r + 4) * scale + y) * size + (c + 4) * scale + x) * 4;
        pixels[i] = 0;
        pixels[i + 1] = 0;
        pixels[i + 2] = 0;
      }
    }
  }));
  const found = jsQR(pixels, size, size);
  return found ? { data: found.data, version: found.version } : null;
}

/**
 * wx.createSelectorQuery() answering `select(selector).fields({node, size}).exec(cb)` with `canvas` (null: no such
 * node, as before the page has rendered).
 */
function fakeSelectorQuery(canvas, widthPx = 250) {
  return () => ({
    in() { return this; },
    select() {
      return {
        fields() {
          return { exec(cb) { setTimeout(() => cb([canvas ? { node: canvas, width: widthPx, height: widthPx } : null]), 0); } };
        },
      };
    },
  });
}

module.exports = { fakeCanvas, readCanvas, readModules, fakeSelectorQuery };
