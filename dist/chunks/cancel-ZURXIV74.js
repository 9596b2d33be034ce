import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import"./chunk-DWU7ZWBK.js";async function o(t,a){let{createTarget:e}=await import("./factory-3ZNAKQXC.js");await(await e(t.target,a)).cancel(t)}export{o as cancelHandle};
