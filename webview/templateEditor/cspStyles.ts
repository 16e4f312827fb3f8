// Monaco adds <style> elements at run time (theme colours, widget sizes). The page's CSP allows styles only with
// its nonce, so every <style> this page creates gets the nonce of the script that loaded it. Imported first, so
// it is in place before any Monaco module runs.
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
const createElement = Document.prototype.createElement;

document.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions) {
  const element = createElement.call(this, tagName, options);
  if (nonce && tagName.toLowerCase() === 'style') (element as HTMLStyleElement).nonce = nonce;
  return element;
} as typeof document.createElement;
