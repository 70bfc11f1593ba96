import { renderSVG } from 'uqr';

/** A QR code of `text` (SVG, drawn here: the text never leaves the page), with the text itself beside it for anyone who cannot scan. */
export function QrCode({ text, label }: { text: string; label: string }) {
  return <div class="qr" role="img" aria-label={label} dangerouslySetInnerHTML={{ __html: renderSVG(text, { ecc: 'M', border: 2 }) }} />;
}
