import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as I}from"./chunk-IY4ZHT4D.js";import{b as m}from"./chunk-KFGBDSV6.js";import{a as w,b as u}from"./chunk-6MQSUJQH.js";import"./chunk-67BG23Y2.js";import{mkdirSync as N,writeFileSync as j}from"node:fs";import{join as b}from"node:path";function U(t,r,a,l){let o=`spark-deploy-${[r.environment,a].filter(Boolean).join("-").replace(/[^\w.-]+/g,"_")}`,n,d;return a==="kubernetes"?(n=b(t,`${o}.yaml`),d=l.map(c=>`# ${c.kind}
${c.text.replace(/\n*$/,`
`)}`).join(`---
`)):l.length===1&&A(l[0]?.text??"")?(n=b(t,`${o}.json`),d=`${l[0]?.text.replace(/\n*$/,"")}
`):(n=b(t,`${o}.txt`),d=l.map(c=>`# ${c.kind}
${c.text.replace(/\n*$/,`
`)}`).join(`
`)),N(t,{recursive:!0}),j(n,d),n}function A(t){try{return JSON.parse(t),!0}catch{return!1}}function F(t){let a=[["Spark UI",t.sparkUi],["Console",t.console],["Driver logs",t.logs],["History",t.history]].filter(([,l])=>l).map(([l,o])=>`| ${l} | ${o} |`);return t.portForward&&a.push(`| Port-forward | \`${t.portForward}\` |`),a.length?["| link | |","| --- | --- |",...a].join(`
`):""}function S(t){return`${t.phase} (${t.nativeState||"no state yet"})${t.message?`: ${t.message.split(`
`)[0]}`:""}`}async function P(t,r){let{plan:a,artifact:l,target:o}=t;if(r.output(m.target,o.name),a.dryRun||a.command==="render"){let e=await o.render(a,l);for(let i of e)t.log(`${a.command==="render"?"render":"dry run"}: ${i.kind}
${i.text}`);if(t.renderDir){let i=U(t.renderDir,a,o.name,e);r.output(m.manifestPath,i),t.log(`rendered to ${i}`)}return r.section("Dry run",e.map(i=>`<details><summary>${i.kind}</summary>

\`\`\`
${i.text}
\`\`\`

</details>`).join(`
`)),{detail:`${a.command==="render"?"rendered":"dry run: rendered"}, nothing submitted`}}let n=await o.submit(a,l,t.signal);t.saveHandle(n),r.output(m.submissionId,n.submissionId),t.log(`submitted: ${n.submissionId}`);let d=e=>{let i=o.links(n,e);i.sparkUi&&r.output(m.sparkUiUrl,i.sparkUi);let p=e?.applicationId??n.applicationId;p&&r.output(m.applicationId,p),e&&r.output(m.state,e.phase);let x=[`| target | ${o.name} |`,`| submission | \`${n.submissionId}\` |`,...p?[`| application | \`${p}\` |`]:[],...e?[`| state | ${e.phase} (native: ${e.nativeState||"\u2014"}) |`]:[],...e?.message?[`| message | ${I(e.message.split(`
`)[0]??"")} |`]:[]];return r.section("Deployment",["| | |","| --- | --- |",...x,"",F(i)].join(`
`)),i};if(!a.wait){let e=d(void 0);return t.markFinished(),{handle:n,links:e,detail:`submitted ${n.submissionId} (not waiting)`}}let c=AbortSignal.timeout(a.timeoutMs),f=AbortSignal.any([t.signal,c]),D=Date.now(),s,$=!1,h="";try{for await(let e of o.watch(n,f))(!s||s.phase!==e.phase||s.nativeState!==e.nativeState)&&t.log(`state: ${S(e)}`),s=e,e.applicationId&&(n.applicationId=e.applicationId)}catch(e){if($=c.aborted||Date.now()-D>=a.timeoutMs-1e3,!f.aborted&&!$)throw e;t.signal.aborted||(h=u(e))}if(f.aborted||$){let e=t.signal.aborted?"the workflow run was cancelled":`timed out after ${+(a.timeoutMs/6e4).toFixed(2)} min`,i="";if(a.cancelOnAbort)try{await o.cancel(n),i=`; cancelled ${n.submissionId} (cancel-on-abort)`}catch(p){i=`; cancelling ${n.submissionId} failed: ${u(p)}`}else i=`; ${n.submissionId} is left running (cancel-on-abort is false)`;throw t.markFinished(),d(s),r.output(m.state,t.signal.aborted?"CANCELLED":s?.phase??"UNKNOWN"),new w(`deploy: ${e} while ${n.submissionId} was ${s?S(s):"not yet observed"}${i}${h?`
${h}`:""}`)}t.markFinished();let y=d(s),k=a.config.app.mode==="streaming"&&s?.phase==="RUNNING";if(s?.phase==="SUCCEEDED"||k)return{handle:n,...s?{status:s}:{},links:y,detail:k?`healthy: RUNNING for ${a.config.app.healthyAfter} s`:`${s?.nativeState??""}`};let g;try{g=await o.logTail?.(n,50)}catch(e){g=`(could not fetch the driver log: ${u(e)})`}g&&r.section("Driver log (last 50 lines)",`<details open><summary>stderr</summary>

\`\`\`text
${g}
\`\`\`

</details>`);let v=y.logs?`
Driver log: ${y.logs}`:"";throw new w(`deploy: ${n.submissionId} ended ${s?S(s):"without a state"}${v}${g?`
--- driver stderr (last lines) ---
${g}`:""}`)}export{P as runDeployStage,U as writeRendered};
