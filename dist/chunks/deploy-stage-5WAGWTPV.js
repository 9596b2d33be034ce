import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{b as A}from"./chunk-MN37WDXJ.js";import{b as P}from"./chunk-NFZGLQRI.js";import{b as u}from"./chunk-CFOOYO3T.js";import{a as L,b as k}from"./chunk-DAMURITM.js";import{c as j}from"./chunk-BVAOJJWR.js";import{a as $,c as R,d as h}from"./chunk-5H2X5USR.js";import"./chunk-DWU7ZWBK.js";import{mkdirSync as U,writeFileSync as O}from"node:fs";import{join as x}from"node:path";async function H(e,i,o,r,l,t=3e4){let d={retired:[],failed:[]},m=i.config.app.name;if(!m||e.replacesPreviousRun)return d;let g=await e.find({app:m,...i.preview!==void 0?{preview:i.preview}:{}});for(let c of g){if(c.submissionId===o.submissionId)continue;let s=await A(e,c,r,t);if(!(!s||s.terminal))try{await e.cancel(c),d.retired.push(c.submissionId),l(`replaced: cancelled ${c.submissionId} (${s.nativeState}), the previous run of ${m}`)}catch(y){d.failed.push(`${c.submissionId}: ${h(y)}`)}}return d}var E=500,N=50;function T(e,i,o,r){let l=`spark-deploy-${[i.environment,o].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,t=c=>r.map(s=>`# ${s.kind}
${s.text.replace(/\n*$/,`
`)}`).join(c),d=r.length===1?r[0]?.text:void 0,[m,g]=o==="kubernetes"?[x(e,`${l}.yaml`),t(`---
`)]:d!==void 0&&_(d)?[x(e,`${l}.json`),`${d.replace(/\n*$/,"")}
`]:[x(e,`${l}.txt`),t(`
`)];return U(e,{recursive:!0}),O(m,j(g)),m}function _(e){try{return JSON.parse(e),!0}catch{return!1}}function W(e){let o=[["Spark UI",e.sparkUi],["Console",e.console],["Driver logs",e.logs],["History",e.history]].filter(([,r])=>r).map(([r,l])=>`| ${r} | ${l} |`);return e.portForward&&o.push(`| Port-forward | \`${e.portForward}\` |`),o.length?["| link | |","| --- | --- |",...o].join(`
`):""}function C(e){return`${e.phase} (${e.nativeState||"no state yet"})${e.message?`: ${e.message.split(`
`)[0]}`:""}`}async function ee(e,i){let{plan:o,artifact:r,target:l}=e;if(i.output(u.target,l.name),o.dryRun||o.command==="render"){let n=await l.render(o,r);for(let a of n)e.log(`${o.command==="render"?"render":"dry run"}: ${a.kind}
${a.text}`);if(e.renderDir){let a=T(e.renderDir,o,l.name,n);i.output(u.manifestPath,a),e.log(`rendered to ${a}`)}return i.section("Dry run",n.map(a=>`<details><summary>${a.kind}</summary>

\`\`\`
${a.text}
\`\`\`

</details>`).join(`
`)),{detail:`${o.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let t=await l.submit(o,r,e.signal);e.saveHandle(t),i.output(u.submissionId,t.submissionId),e.log(`submitted: ${t.submissionId}`);let d=n=>{let a=l.links(t,n);a.sparkUi&&i.output(u.sparkUiUrl,a.sparkUi);let f=n?.applicationId??t.applicationId;f&&i.output(u.applicationId,f),n&&i.output(u.state,n.phase);let w=[`| target | ${l.name} |`,`| submission | \`${t.submissionId}\` |`,...f?[`| application | \`${f}\` |`]:[],...n?[`| state | ${n.phase} (native: ${n.nativeState||"\u2014"}) |`]:[],...n?.message?[`| message | ${P(n.message.split(`
`)[0]??"")} |`]:[]];return i.section("Deployment",["| | |","| --- | --- |",...w,"",W(a)].join(`
`)),i.deployment?.({links:a,...n?{status:n}:{}}),a};if(!o.wait){let n=d(void 0);return e.markFinished(),{handle:t,links:n,detail:`submitted ${t.submissionId} (not waiting)`}}let m=AbortSignal.timeout(o.timeoutMs),g=AbortSignal.any([e.signal,m]),c=Date.now(),s,y=!1,S="";try{for await(let n of l.watch(t,g))(!s||s.phase!==n.phase||s.nativeState!==n.nativeState)&&e.log(`state: ${C(n)}`),s=n,n.applicationId&&(t.applicationId=n.applicationId)}catch(n){if(n instanceof R&&!e.signal.aborted)throw e.markFinished(),d(s),i.output(u.state,"UNKNOWN"),new $(`deploy: stopped watching ${t.submissionId}: ${n.message}`);if(y=m.aborted||Date.now()-c>=o.timeoutMs-1e3,!g.aborted&&!y)throw n;!e.signal.aborted&&n instanceof $&&(S=n.message)}if(g.aborted||y){let n=e.signal.aborted?"the workflow run was cancelled":`timed out after ${+(o.timeoutMs/6e4).toFixed(2)} min`,a="";if(o.cancelOnAbort)try{await l.cancel(t),a=`; cancelled ${t.submissionId} (cancel-on-abort)`}catch(w){a=`; cancelling ${t.submissionId} failed: ${h(w)}`}else a=`; ${t.submissionId} is left running (cancel-on-abort is false)`;e.markFinished();let f=d(s);throw i.deployment?.({links:f,...s?{status:s}:{},timedOut:!e.signal.aborted}),i.output(u.state,e.signal.aborted?"CANCELLED":s?.phase??"UNKNOWN"),s?.cause&&!s.terminal?new $([`deploy: ${n}: ${s.cause}`,`${t.submissionId} was still ${s.phase} (${s.nativeState||"no state yet"})${a}`,...s.message?.split(`
`)??[]].join(`
`)):new $(`deploy: ${n} while ${t.submissionId} was ${s?C(s):"not yet observed"}${a}${S?`
${S}`:""}`)}e.markFinished();let I=d(s);await e.afterWatch?.(t,s);let D=o.config.app.mode==="streaming"&&s?.phase==="RUNNING";if(s?.phase==="SUCCEEDED"||D){let n="";if(D)try{let{retired:a,failed:f}=await H(l,o,t,e.signal,e.log);a.length&&(n=`; replaced ${a.join(", ")}`);for(let w of f)e.warn?.(`deploy: could not cancel the previous run ${w}`)}catch(a){e.warn?.(`deploy: could not look for the previous run to replace: ${h(a)}`)}return{handle:t,...s?{status:s}:{},links:I,detail:D?`healthy: RUNNING for ${o.config.app.healthyAfter} s${n}`:`${s?.nativeState??""}`}}let p;try{p=await l.logTail?.(t,E)}catch(n){p=`(could not fetch the driver log: ${h(n)})`}let b=p?.split(`
`).slice(-N).join(`
`),v=p?L(p,"driver stderr"):void 0;t.applicationId&&i.output(u.applicationId,t.applicationId),i.deployment?.({links:I,...s?{status:s}:{},...b?{logExcerpt:{title:`Driver log (last ${N} lines)`,text:b}}:{},...v?{rootCause:v}:{}}),b&&i.section(`Driver log (last ${N} lines)`,`<details${v?"":" open"}><summary>stderr</summary>

\`\`\`text
${b}
\`\`\`

</details>`);let F=p?/^\(.*\)$/.test(p.trim())?p.trim():void 0:"The driver's stderr could not be read.";throw new $(M(t,s,I,v,F))}function M(e,i,o,r,l){let t=[`deploy: ${e.submissionId} ended ${i?`${i.phase} (${i.nativeState||"no state yet"})`:"without a state"}: ${i?.cause??(r?k(r):i?.message?.split(`
`)[0]??"no reason given")}`];return i?.cause&&r?t.push(`The driver log's last exception: ${k(r)}`):r?.hint&&t.push(`Fix: ${r.hint}`),!i?.cause&&r&&i?.message&&t.push(`${i.nativeState}: ${i.message.split(`
`)[0]}`),t.push(...i?.message?.split(`
`).slice(1,6)??[]),r||t.push(l??`No exception in the last ${E} lines of the driver's stderr (its tail is in the job summary).`),o.logs?t.push(`Driver log: ${o.logs}`):o.console&&t.push(`Console: ${o.console}`),t.join(`
`)}export{M as failureText,ee as runDeployStage,T as writeRendered};
