import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b as R}from"./chunk-GDNLV7NK.js";import{a as x}from"./chunk-PPHUKA3D.js";import{b as m}from"./chunk-KFGBDSV6.js";import{a as y,b as g}from"./chunk-6MQSUJQH.js";import"./chunk-67BG23Y2.js";import{mkdirSync as P,writeFileSync as A}from"node:fs";import{join as S}from"node:path";async function j(e,o,i,l,s,n=3e4){let d={retired:[],failed:[]},c=o.config.app.name;if(!c||e.name==="kubernetes")return d;let $=await e.find({app:c,...o.preview!==void 0?{preview:o.preview}:{}});for(let u of $){if(u.submissionId===i.submissionId)continue;let r=await R(e,u,l,n);if(!(!r||r.terminal))try{await e.cancel(u),d.retired.push(u.submissionId),s(`replaced: cancelled ${u.submissionId} (${r.nativeState}), the previous run of ${c}`)}catch(h){d.failed.push(`${u.submissionId}: ${g(h)}`)}}return d}function U(e,o,i,l){let s=`spark-deploy-${[o.environment,i].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,n,d;return i==="kubernetes"?(n=S(e,`${s}.yaml`),d=l.map(c=>`# ${c.kind}
${c.text.replace(/\n*$/,`
`)}`).join(`---
`)):l.length===1&&H(l[0]?.text??"")?(n=S(e,`${s}.json`),d=`${l[0]?.text.replace(/\n*$/,"")}
`):(n=S(e,`${s}.txt`),d=l.map(c=>`# ${c.kind}
${c.text.replace(/\n*$/,`
`)}`).join(`
`)),P(e,{recursive:!0}),A(n,d),n}function H(e){try{return JSON.parse(e),!0}catch{return!1}}function F(e){let i=[["Spark UI",e.sparkUi],["Console",e.console],["Driver logs",e.logs],["History",e.history]].filter(([,l])=>l).map(([l,s])=>`| ${l} | ${s} |`);return e.portForward&&i.push(`| Port-forward | \`${e.portForward}\` |`),i.length?["| link | |","| --- | --- |",...i].join(`
`):""}function k(e){return`${e.phase} (${e.nativeState||"no state yet"})${e.message?`: ${e.message.split(`
`)[0]}`:""}`}async function B(e,o){let{plan:i,artifact:l,target:s}=e;if(o.output(m.target,s.name),i.dryRun||i.command==="render"){let t=await s.render(i,l);for(let a of t)e.log(`${i.command==="render"?"render":"dry run"}: ${a.kind}
${a.text}`);if(e.renderDir){let a=U(e.renderDir,i,s.name,t);o.output(m.manifestPath,a),e.log(`rendered to ${a}`)}return o.section("Dry run",t.map(a=>`<details><summary>${a.kind}</summary>

\`\`\`
${a.text}
\`\`\`

</details>`).join(`
`)),{detail:`${i.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let n=await s.submit(i,l,e.signal);e.saveHandle(n),o.output(m.submissionId,n.submissionId),e.log(`submitted: ${n.submissionId}`);let d=t=>{let a=s.links(n,t);a.sparkUi&&o.output(m.sparkUiUrl,a.sparkUi);let p=t?.applicationId??n.applicationId;p&&o.output(m.applicationId,p),t&&o.output(m.state,t.phase);let I=[`| target | ${s.name} |`,`| submission | \`${n.submissionId}\` |`,...p?[`| application | \`${p}\` |`]:[],...t?[`| state | ${t.phase} (native: ${t.nativeState||"\u2014"}) |`]:[],...t?.message?[`| message | ${x(t.message.split(`
`)[0]??"")} |`]:[]];return o.section("Deployment",["| | |","| --- | --- |",...I,"",F(a)].join(`
`)),a};if(!i.wait){let t=d(void 0);return e.markFinished(),{handle:n,links:t,detail:`submitted ${n.submissionId} (not waiting)`}}let c=AbortSignal.timeout(i.timeoutMs),$=AbortSignal.any([e.signal,c]),u=Date.now(),r,h=!1,w="";try{for await(let t of s.watch(n,$))(!r||r.phase!==t.phase||r.nativeState!==t.nativeState)&&e.log(`state: ${k(t)}`),r=t,t.applicationId&&(n.applicationId=t.applicationId)}catch(t){if(h=c.aborted||Date.now()-u>=i.timeoutMs-1e3,!$.aborted&&!h)throw t;!e.signal.aborted&&t instanceof y&&(w=t.message)}if($.aborted||h){let t=e.signal.aborted?"the workflow run was cancelled":`timed out after ${+(i.timeoutMs/6e4).toFixed(2)} min`,a="";if(i.cancelOnAbort)try{await s.cancel(n),a=`; cancelled ${n.submissionId} (cancel-on-abort)`}catch(p){a=`; cancelling ${n.submissionId} failed: ${g(p)}`}else a=`; ${n.submissionId} is left running (cancel-on-abort is false)`;throw e.markFinished(),d(r),o.output(m.state,e.signal.aborted?"CANCELLED":r?.phase??"UNKNOWN"),new y(`deploy: ${t} while ${n.submissionId} was ${r?k(r):"not yet observed"}${a}${w?`
${w}`:""}`)}e.markFinished();let b=d(r),v=i.config.app.mode==="streaming"&&r?.phase==="RUNNING";if(r?.phase==="SUCCEEDED"||v){let t="";if(v)try{let{retired:a,failed:p}=await j(s,i,n,e.signal,e.log);a.length&&(t=`; replaced ${a.join(", ")}`);for(let I of p)e.warn?.(`deploy: could not cancel the previous run ${I}`)}catch(a){e.warn?.(`deploy: could not look for the previous run to replace: ${g(a)}`)}return{handle:n,...r?{status:r}:{},links:b,detail:v?`healthy: RUNNING for ${i.config.app.healthyAfter} s${t}`:`${r?.nativeState??""}`}}let f;try{f=await s.logTail?.(n,50)}catch(t){f=`(could not fetch the driver log: ${g(t)})`}n.applicationId&&o.output(m.applicationId,n.applicationId),f&&o.section("Driver log (last 50 lines)",`<details open><summary>stderr</summary>

\`\`\`text
${f}
\`\`\`

</details>`);let N=b.logs?`
Driver log: ${b.logs}`:"",D=r?.message?.split(`
`).slice(1).join(`
`);throw new y(`deploy: ${n.submissionId} ended ${r?k(r):"without a state"}${D?`
${D}`:""}${N}${f?`
--- driver stderr (last lines) ---
${f}`:""}`)}export{B as runDeployStage,U as writeRendered};
