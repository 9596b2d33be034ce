import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import"./chunk-67BG23Y2.js";async function o(t,a){let{createTarget:e}=await import("./factory-GAHNIGBQ.js");await(await e(t.target,a)).cancel(t)}export{o as cancelHandle};
