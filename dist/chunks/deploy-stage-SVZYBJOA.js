import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{a as L,b as k}from"./chunk-DAMURITM.js";import{b as j}from"./chunk-TXSQ4MKX.js";import{b as N}from"./chunk-NFZGLQRI.js";import{b as m}from"./chunk-CFOOYO3T.js";import{a as w,b as $}from"./chunk-KJ672EK3.js";import"./chunk-DWU7ZWBK.js";import{mkdirSync as E,writeFileSync as F}from"node:fs";import{join as x}from"node:path";async function P(e,i,o,r,l,t=3e4){let d={retired:[],failed:[]},u=i.config.app.name;if(!u||e.replacesPreviousRun)return d;let g=await e.find({app:u,...i.preview!==void 0?{preview:i.preview}:{}});for(let c of g){if(c.submissionId===o.submissionId)continue;let s=await j(e,c,r,t);if(!(!s||s.terminal))try{await e.cancel(c),d.retired.push(c.submissionId),l(`replaced: cancelled ${c.submissionId} (${s.nativeState}), the previous run of ${u}`)}catch(h){d.failed.push(`${c.submissionId}: ${$(h)}`)}}return d}var H=500,R=50;function U(e,i,o,r){let l=`spark-deploy-${[i.environment,o].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,t=c=>r.map(s=>`# ${s.kind}
${s.text.replace(/\n*$/,`
`)}`).join(c),d=r.length===1?r[0]?.text:void 0,[u,g]=o==="kubernetes"?[x(e,`${l}.yaml`),t(`---
`)]:d!==void 0&&O(d)?[x(e,`${l}.json`),`${d.replace(/\n*$/,"")}
`]:[x(e,`${l}.txt`),t(`
`)];return E(e,{recursive:!0}),F(u,g),u}function O(e){try{return JSON.parse(e),!0}catch{return!1}}function T(e){let o=[["Spark UI",e.sparkUi],["Console",e.console],["Driver logs",e.logs],["History",e.history]].filter(([,r])=>r).map(([r,l])=>`| ${r} | ${l} |`);return e.portForward&&o.push(`| Port-forward | \`${e.portForward}\` |`),o.length?["| link | |","| --- | --- |",...o].join(`
`):""}function A(e){return`${e.phase} (${e.nativeState||"no state yet"})${e.message?`: ${e.message.split(`
`)[0]}`:""}`}async function V(e,i){let{plan:o,artifact:r,target:l}=e;if(i.output(m.target,l.name),o.dryRun||o.command==="render"){let n=await l.render(o,r);for(let a of n)e.log(`${o.command==="render"?"render":"dry run"}: ${a.kind}
${a.text}`);if(e.renderDir){let a=U(e.renderDir,o,l.name,n);i.output(m.manifestPath,a),e.log(`rendered to ${a}`)}return i.section("Dry run",n.map(a=>`<details><summary>${a.kind}</summary>

\`\`\`
${a.text}
\`\`\`

</details>`).join(`
`)),{detail:`${o.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let t=await l.submit(o,r,e.signal);e.saveHandle(t),i.output(m.submissionId,t.submissionId),e.log(`submitted: ${t.submissionId}`);let d=n=>{let a=l.links(t,n);a.sparkUi&&i.output(m.sparkUiUrl,a.sparkUi);let f=n?.applicationId??t.applicationId;f&&i.output(m.applicationId,f),n&&i.output(m.state,n.phase);let y=[`| target | ${l.name} |`,`| submission | \`${t.submissionId}\` |`,...f?[`| application | \`${f}\` |`]:[],...n?[`| state | ${n.phase} (native: ${n.nativeState||"\u2014"}) |`]:[],...n?.message?[`| message | ${N(n.message.split(`
`)[0]??"")} |`]:[]];return i.section("Deployment",["| | |","| --- | --- |",...y,"",T(a)].join(`
`)),i.deployment?.({links:a,...n?{status:n}:{}}),a};if(!o.wait){let n=d(void 0);return e.markFinished(),{handle:t,links:n,detail:`submitted ${t.submissionId} (not waiting)`}}let u=AbortSignal.timeout(o.timeoutMs),g=AbortSignal.any([e.signal,u]),c=Date.now(),s,h=!1,S="";try{for await(let n of l.watch(t,g))(!s||s.phase!==n.phase||s.nativeState!==n.nativeState)&&e.log(`state: ${A(n)}`),s=n,n.applicationId&&(t.applicationId=n.applicationId)}catch(n){if(h=u.aborted||Date.now()-c>=o.timeoutMs-1e3,!g.aborted&&!h)throw n;!e.signal.aborted&&n instanceof w&&(S=n.message)}if(g.aborted||h){let n=e.signal.aborted?"the workflow run was cancelled":`timed out after ${+(o.timeoutMs/6e4).toFixed(2)} min`,a="";if(o.cancelOnAbort)try{await l.cancel(t),a=`; cancelled ${t.submissionId} (cancel-on-abort)`}catch(y){a=`; cancelling ${t.submissionId} failed: ${$(y)}`}else a=`; ${t.submissionId} is left running (cancel-on-abort is false)`;e.markFinished();let f=d(s);throw i.deployment?.({links:f,...s?{status:s}:{},timedOut:!e.signal.aborted}),i.output(m.state,e.signal.aborted?"CANCELLED":s?.phase??"UNKNOWN"),s?.cause&&!s.terminal?new w([`deploy: ${n}: ${s.cause}`,`${t.submissionId} was still ${s.phase} (${s.nativeState||"no state yet"})${a}`,...s.message?.split(`
`)??[]].join(`
`)):new w(`deploy: ${n} while ${t.submissionId} was ${s?A(s):"not yet observed"}${a}${S?`
${S}`:""}`)}e.markFinished();let I=d(s);await e.afterWatch?.(t,s);let D=o.config.app.mode==="streaming"&&s?.phase==="RUNNING";if(s?.phase==="SUCCEEDED"||D){let n="";if(D)try{let{retired:a,failed:f}=await P(l,o,t,e.signal,e.log);a.length&&(n=`; replaced ${a.join(", ")}`);for(let y of f)e.warn?.(`deploy: could not cancel the previous run ${y}`)}catch(a){e.warn?.(`deploy: could not look for the previous run to replace: ${$(a)}`)}return{handle:t,...s?{status:s}:{},links:I,detail:D?`healthy: RUNNING for ${o.config.app.healthyAfter} s${n}`:`${s?.nativeState??""}`}}let p;try{p=await l.logTail?.(t,H)}catch(n){p=`(could not fetch the driver log: ${$(n)})`}let b=p?.split(`
`).slice(-R).join(`
`),v=p?L(p,"driver stderr"):void 0;t.applicationId&&i.output(m.applicationId,t.applicationId),i.deployment?.({links:I,...s?{status:s}:{},...b?{logExcerpt:{title:`Driver log (last ${R} lines)`,text:b}}:{},...v?{rootCause:v}:{}}),b&&i.section(`Driver log (last ${R} lines)`,`<details${v?"":" open"}><summary>stderr</summary>

\`\`\`text
${b}
\`\`\`

</details>`);let C=p?/^\(.*\)$/.test(p.trim())?p.trim():void 0:"The driver's stderr could not be read.";throw new w(_(t,s,I,v,C))}function _(e,i,o,r,l){let t=[`deploy: ${e.submissionId} ended ${i?`${i.phase} (${i.nativeState||"no state yet"})`:"without a state"}: ${i?.cause??(r?k(r):i?.message?.split(`
`)[0]??"no reason given")}`];return i?.cause&&r?t.push(`The driver log's last exception: ${k(r)}`):r?.hint&&t.push(`Fix: ${r.hint}`),!i?.cause&&r&&i?.message&&t.push(`${i.nativeState}: ${i.message.split(`
`)[0]}`),t.push(...i?.message?.split(`
`).slice(1,6)??[]),r||t.push(l??`No exception in the last ${H} lines of the driver's stderr (its tail is in the job summary).`),o.logs?t.push(`Driver log: ${o.logs}`):o.console&&t.push(`Console: ${o.console}`),t.join(`
`)}export{_ as failureText,V as runDeployStage,U as writeRendered};
