import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);
import{b as R}from"./chunk-T6YFQKPB.js";import{b as x}from"./chunk-NFZGLQRI.js";import{b as m}from"./chunk-E7U4VLNU.js";import{a as y,b as $}from"./chunk-KJ672EK3.js";import"./chunk-DWU7ZWBK.js";import{mkdirSync as N,writeFileSync as A}from"node:fs";import{join as S}from"node:path";async function j(e,o,i,l,s,n=3e4){let d={retired:[],failed:[]},u=o.config.app.name;if(!u||e.replacesPreviousRun)return d;let f=await e.find({app:u,...o.preview!==void 0?{preview:o.preview}:{}});for(let c of f){if(c.submissionId===i.submissionId)continue;let a=await R(e,c,l,n);if(!(!a||a.terminal))try{await e.cancel(c),d.retired.push(c.submissionId),s(`replaced: cancelled ${c.submissionId} (${a.nativeState}), the previous run of ${u}`)}catch(h){d.failed.push(`${c.submissionId}: ${$(h)}`)}}return d}function U(e,o,i,l){let s=`spark-deploy-${[o.environment,i].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,n=c=>l.map(a=>`# ${a.kind}
${a.text.replace(/\n*$/,`
`)}`).join(c),d=l.length===1?l[0]?.text:void 0,[u,f]=i==="kubernetes"?[S(e,`${s}.yaml`),n(`---
`)]:d!==void 0&&H(d)?[S(e,`${s}.json`),`${d.replace(/\n*$/,"")}
`]:[S(e,`${s}.txt`),n(`
`)];return N(e,{recursive:!0}),A(u,f),u}function H(e){try{return JSON.parse(e),!0}catch{return!1}}function F(e){let i=[["Spark UI",e.sparkUi],["Console",e.console],["Driver logs",e.logs],["History",e.history]].filter(([,l])=>l).map(([l,s])=>`| ${l} | ${s} |`);return e.portForward&&i.push(`| Port-forward | \`${e.portForward}\` |`),i.length?["| link | |","| --- | --- |",...i].join(`
`):""}function k(e){return`${e.phase} (${e.nativeState||"no state yet"})${e.message?`: ${e.message.split(`
`)[0]}`:""}`}async function B(e,o){let{plan:i,artifact:l,target:s}=e;if(o.output(m.target,s.name),i.dryRun||i.command==="render"){let t=await s.render(i,l);for(let r of t)e.log(`${i.command==="render"?"render":"dry run"}: ${r.kind}
${r.text}`);if(e.renderDir){let r=U(e.renderDir,i,s.name,t);o.output(m.manifestPath,r),e.log(`rendered to ${r}`)}return o.section("Dry run",t.map(r=>`<details><summary>${r.kind}</summary>

\`\`\`
${r.text}
\`\`\`

</details>`).join(`
`)),{detail:`${i.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let n=await s.submit(i,l,e.signal);e.saveHandle(n),o.output(m.submissionId,n.submissionId),e.log(`submitted: ${n.submissionId}`);let d=t=>{let r=s.links(n,t);r.sparkUi&&o.output(m.sparkUiUrl,r.sparkUi);let p=t?.applicationId??n.applicationId;p&&o.output(m.applicationId,p),t&&o.output(m.state,t.phase);let I=[`| target | ${s.name} |`,`| submission | \`${n.submissionId}\` |`,...p?[`| application | \`${p}\` |`]:[],...t?[`| state | ${t.phase} (native: ${t.nativeState||"\u2014"}) |`]:[],...t?.message?[`| message | ${x(t.message.split(`
`)[0]??"")} |`]:[]];return o.section("Deployment",["| | |","| --- | --- |",...I,"",F(r)].join(`
`)),r};if(!i.wait){let t=d(void 0);return e.markFinished(),{handle:n,links:t,detail:`submitted ${n.submissionId} (not waiting)`}}let u=AbortSignal.timeout(i.timeoutMs),f=AbortSignal.any([e.signal,u]),c=Date.now(),a,h=!1,w="";try{for await(let t of s.watch(n,f))(!a||a.phase!==t.phase||a.nativeState!==t.nativeState)&&e.log(`state: ${k(t)}`),a=t,t.applicationId&&(n.applicationId=t.applicationId)}catch(t){if(h=u.aborted||Date.now()-c>=i.timeoutMs-1e3,!f.aborted&&!h)throw t;!e.signal.aborted&&t instanceof y&&(w=t.message)}if(f.aborted||h){let t=e.signal.aborted?"the workflow run was cancelled":`timed out after ${+(i.timeoutMs/6e4).toFixed(2)} min`,r="";if(i.cancelOnAbort)try{await s.cancel(n),r=`; cancelled ${n.submissionId} (cancel-on-abort)`}catch(p){r=`; cancelling ${n.submissionId} failed: ${$(p)}`}else r=`; ${n.submissionId} is left running (cancel-on-abort is false)`;throw e.markFinished(),d(a),o.output(m.state,e.signal.aborted?"CANCELLED":a?.phase??"UNKNOWN"),new y(`deploy: ${t} while ${n.submissionId} was ${a?k(a):"not yet observed"}${r}${w?`
${w}`:""}`)}e.markFinished();let b=d(a),v=i.config.app.mode==="streaming"&&a?.phase==="RUNNING";if(a?.phase==="SUCCEEDED"||v){let t="";if(v)try{let{retired:r,failed:p}=await j(s,i,n,e.signal,e.log);r.length&&(t=`; replaced ${r.join(", ")}`);for(let I of p)e.warn?.(`deploy: could not cancel the previous run ${I}`)}catch(r){e.warn?.(`deploy: could not look for the previous run to replace: ${$(r)}`)}return{handle:n,...a?{status:a}:{},links:b,detail:v?`healthy: RUNNING for ${i.config.app.healthyAfter} s${t}`:`${a?.nativeState??""}`}}let g;try{g=await s.logTail?.(n,50)}catch(t){g=`(could not fetch the driver log: ${$(t)})`}n.applicationId&&o.output(m.applicationId,n.applicationId),g&&o.section("Driver log (last 50 lines)",`<details open><summary>stderr</summary>

\`\`\`text
${g}
\`\`\`

</details>`);let P=b.logs?`
Driver log: ${b.logs}`:"",D=a?.message?.split(`
`).slice(1).join(`
`);throw new y(`deploy: ${n.submissionId} ended ${a?k(a):"without a state"}${D?`
${D}`:""}${P}${g?`
--- driver stderr (last lines) ---
${g}`:""}`)}export{B as runDeployStage,U as writeRendered};
