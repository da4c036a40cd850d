<?xml version="1.0" encoding="UTF-8"?>
<!--
  report.xsl: mailaudit's HTML report, made from the XML report
  (mailaudit check -\-format html). XSLT 1.0, no extensions (libxslt).

  One self-contained HTML5 file: inline CSS, no script, nothing fetched, icons
  as inline SVG. Every value is written as text, so the processor escapes it;
  never use disable-output-escaping here. The output is also well-formed XML
  (XHTML syntax) so tests can parse it strictly: keep every non-void element
  non-empty, and keep '<', '>' and '&' out of the CSS.

  Parameter: lang = en | es. A provider can brand the report with its own
  copy of this file (mailaudit check -\-template FILE); the transform runs
  with file and network access forbidden, so a template cannot fetch anything.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns="http://www.w3.org/1999/xhtml"
>

  <xsl:output method="xml" encoding="UTF-8" indent="no" omit-xml-declaration="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:param name="lang" select="'en'"/>
  <xsl:variable name="L">
    <xsl:choose>
      <xsl:when test="$lang = 'es'">es</xsl:when>
      <xsl:otherwise>en</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <!-- The stylesheet's own labels: '|key=text|' tables, one per language,
       looked up with plain XPath 1.0 (no extension functions needed). -->
  <xsl:variable name="T.en">
|title=Mail security report|
|grade=Grade|
|score=Score|
|date=Audited|
|tool=Tool|
|source=Answers from|
|src.live=live DNS, asking |
|src.default=the system's resolver|
|src.zones=zone files: |
|src.more= more|
|src.overlay=zone files over live DNS: |
|v.A=Mail for this domain is well protected; only small improvements remain.|
|v.B=Mail for this domain is mostly protected; a few fixes would close the remaining gaps.|
|v.C=Mail for this domain has gaps that let others send mail in its name or read it in transit; the fixes below close them.|
|v.D=Mail for this domain is poorly protected; please apply the fixes below soon.|
|v.other=Mail for this domain is at risk: it can be forged or lost; please apply the fixes below now.|
|findings=What to fix|
|nofindings=Nothing to fix.|
|sev.fail=Problem|
|sev.warn=Warning|
|sev.info=Advice|
|why=Why it matters|
|who=Who has to act|
|fix=How to fix it|
|ref=Reference|
|who.host=Your DNS host or your mail host|
|who.dns=You, in your domain's DNS|
|who.third=The third-party sender included in your SPF record|
|who.mail=Your mail provider (signing) and your DNS|
|who.sender=Whoever sends these messages|
|inconclusive=Could not be checked|
|inc.intro=These areas are inconclusive, not failed: the DNS did not answer clearly. Run the audit again later.|
|area=Area|
|reason=Reason|
|evidence=The evidence|
|mx=Mail hosts (MX)|
|host=Host|
|pref=Preference|
|addresses=Addresses|
|nomx=No mail hosts.|
|spf=SPF: who may send|
|lookups=DNS lookups|
|of10= of 10 allowed|
|term=Term|
|result=Result|
|nospf=No SPF record.|
|dkim=DKIM keys|
|selector=Selector|
|keytype=Key|
|bits=Size (bits)|
|status=Status|
|nodkim=No DKIM key found.|
|samples=Sample messages|
|file=File|
|from=From domain|
|signatures=Signatures|
|keyfrom=key from|
|dmarc=DMARC policy|
|record=Record|
|nodmarc=No DMARC record.|
|discovery=How it was found|
|client=Set up your mail client|
|service=Service|
|port=Port|
|enc=Encryption|
|enc.implicit=SSL/TLS|
|enc.starttls=STARTTLS|
|noclient=The domain publishes no SRV records for mail programs; ask your mail provider for the server names.|
|svc.imap=Incoming mail (IMAP)|
|svc.pop3=Incoming mail (POP3)|
|svc.submission=Outgoing mail (SMTP)|
|none=none|
</xsl:variable>
  <xsl:variable name="T.es">
|title=Informe de seguridad del correo|
|grade=Nota|
|score=Puntuación|
|date=Auditado|
|tool=Herramienta|
|source=Respuestas de|
|src.live=DNS en vivo, preguntando a |
|src.default=el resolutor del sistema|
|src.zones=ficheros de zona: |
|src.more= más|
|src.overlay=ficheros de zona sobre DNS en vivo: |
|v.A=El correo de este dominio está bien protegido; solo quedan pequeñas mejoras.|
|v.B=El correo de este dominio está casi protegido; unas pocas correcciones cerrarían los huecos.|
|v.C=El correo de este dominio tiene huecos que permiten a otros enviar en su nombre o leerlo en tránsito; las correcciones de abajo los cierran.|
|v.D=El correo de este dominio está mal protegido; aplique pronto las correcciones de abajo.|
|v.other=El correo de este dominio está en riesgo: se puede falsificar o perder; aplique ya las correcciones de abajo.|
|findings=Qué corregir|
|nofindings=Nada que corregir.|
|sev.fail=Problema|
|sev.warn=Aviso|
|sev.info=Consejo|
|why=Por qué importa|
|who=Quién debe actuar|
|fix=Cómo corregirlo|
|ref=Referencia|
|who.host=Su proveedor de DNS o de correo|
|who.dns=Usted, en el DNS de su dominio|
|who.third=El remitente externo incluido en su registro SPF|
|who.mail=Su proveedor de correo (firma) y su DNS|
|who.sender=Quien envía estos mensajes|
|inconclusive=No se pudo comprobar|
|inc.intro=Estas áreas no son concluyentes, no son fallos: el DNS no respondió con claridad. Repita la auditoría más tarde.|
|area=Área|
|reason=Motivo|
|evidence=Las pruebas|
|mx=Servidores de correo (MX)|
|host=Servidor|
|pref=Preferencia|
|addresses=Direcciones|
|nomx=Ningún servidor de correo.|
|spf=SPF: quién puede enviar|
|lookups=consultas DNS|
|of10= de 10 permitidas|
|term=Término|
|result=Resultado|
|nospf=Ningún registro SPF.|
|dkim=Claves DKIM|
|selector=Selector|
|keytype=Clave|
|bits=Tamaño (bits)|
|status=Estado|
|nodkim=No se encontró ninguna clave DKIM.|
|samples=Mensajes de muestra|
|file=Fichero|
|from=Dominio del remitente|
|signatures=Firmas|
|keyfrom=clave de|
|dmarc=Política DMARC|
|record=Registro|
|nodmarc=Ningún registro DMARC.|
|discovery=Cómo se buscó|
|client=Configure su programa de correo|
|service=Servicio|
|port=Puerto|
|enc=Cifrado|
|enc.implicit=SSL/TLS|
|enc.starttls=STARTTLS|
|noclient=El dominio no publica registros SRV para programas de correo; pida los nombres de servidor a su proveedor.|
|svc.imap=Correo entrante (IMAP)|
|svc.pop3=Correo entrante (POP3)|
|svc.submission=Correo saliente (SMTP)|
|none=ninguno|
</xsl:variable>

  <xsl:template name="t">
    <xsl:param name="k"/>
    <xsl:variable name="key" select="concat('|', $k, '=')"/>
    <xsl:choose>
      <xsl:when test="$L = 'es'">
        <xsl:value-of select="substring-before(substring-after($T.es, $key), '|')"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="substring-before(substring-after($T.en, $key), '|')"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A value, or a dash: an empty element would not survive HTML parsing. -->
  <xsl:template name="v">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="string-length($s) &gt; 0"><xsl:value-of select="$s"/></xsl:when>
      <xsl:otherwise>—</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A rule text in the report's language, English when it has none. -->
  <xsl:template name="txt">
    <xsl:param name="n"/>
    <xsl:choose>
      <xsl:when test="$n[@xml:lang = $L]"><xsl:value-of select="$n[@xml:lang = $L][1]"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$n[@xml:lang = 'en'][1]"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="/">
    <html lang="{$L}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>
          <xsl:call-template name="t"><xsl:with-param name="k" select="'title'"/></xsl:call-template>
          <xsl:text>: </xsl:text>
          <xsl:value-of select="/audit/@domain-unicode"/>
        </title>
        <style>
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 1rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #33415c; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin: 0 0 .4rem; }
.summary { display: flex; gap: 1.5rem; align-items: center; border: 2px solid #33415c; border-radius: .5rem; padding: 1rem; }
.grade { font-size: 3.2rem; font-weight: 700; width: 5.5rem; height: 5.5rem; display: flex; align-items: center; justify-content: center; border-radius: 50%; border: 4px solid #33415c; flex: none; }
.verdict { font-size: 1.1rem; font-weight: 600; margin: 0 0 .5rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.finding { border: 1px solid #8a8a8a; border-left: 8px solid #555; border-radius: .4rem; padding: .8rem 1rem; margin: 1rem 0; break-inside: avoid; }
.finding.fail { border-left-color: #b00020; }
.finding.warn { border-left-color: #a15c00; }
.finding.info { border-left-color: #1f5fa8; }
.sev { display: inline-flex; align-items: center; gap: .3rem; font-weight: 700; text-transform: uppercase; font-size: .85rem; margin-right: .5rem; }
.sev.fail { color: #b00020; }
.sev.warn { color: #8a4b00; }
.sev.info { color: #1f5fa8; }
.finding h4 { font-size: .95rem; margin: .6rem 0 .2rem; }
.finding p { margin: .2rem 0; }
pre, code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
pre.fix { background: #f3f4f6; border: 1px solid #9aa0a6; padding: .6rem; white-space: pre-wrap; overflow-wrap: anywhere; user-select: all; margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #9aa0a6; padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e8eaef; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
ul.spf { list-style: none; padding-left: 1.2rem; border-left: 2px solid #c4c8cf; }
ul.spf li { margin: .15rem 0; }
.card { border: 2px solid #1f5fa8; border-radius: .5rem; padding: .8rem 1rem; break-inside: avoid; }
.muted { color: #4a4a4a; }
footer { margin-top: 2rem; font-size: .85rem; color: #4a4a4a; }
@page { size: A4; margin: 15mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  pre.fix { background: #fff; }
}
        </style>
      </head>
      <body>
        <main>
          <xsl:apply-templates select="audit"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="audit">
    <header>
      <h1>
        <xsl:call-template name="t"><xsl:with-param name="k" select="'title'"/></xsl:call-template>
        <xsl:text>: </xsl:text>
        <xsl:value-of select="@domain-unicode"/>
      </h1>
      <xsl:call-template name="summary"/>
    </header>
    <xsl:call-template name="findings"/>
    <xsl:call-template name="inconclusive"/>
    <section>
      <h2><xsl:call-template name="t"><xsl:with-param name="k" select="'evidence'"/></xsl:call-template></h2>
      <xsl:apply-templates select="mx"/>
      <xsl:apply-templates select="spf"/>
      <xsl:apply-templates select="dkim"/>
      <xsl:apply-templates select="samples"/>
      <xsl:apply-templates select="dmarc"/>
      <xsl:apply-templates select="srv"/>
    </section>
    <footer>
      <p><xsl:value-of select="@tool"/> · <xsl:value-of select="@started"/></p>
    </footer>
  </xsl:template>

  <!-- (1) Grade, score, verdict, date, tool, source. -->
  <xsl:template name="summary">
    <section class="summary" aria-label="summary">
      <div class="grade" role="img">
        <xsl:attribute name="aria-label">
          <xsl:call-template name="t"><xsl:with-param name="k" select="'grade'"/></xsl:call-template>
          <xsl:text> </xsl:text><xsl:value-of select="@grade"/>
        </xsl:attribute>
        <xsl:call-template name="v"><xsl:with-param name="s" select="@grade"/></xsl:call-template>
      </div>
      <div>
        <p class="verdict">
          <xsl:call-template name="t">
            <xsl:with-param name="k">
              <xsl:choose>
                <xsl:when test="@grade = 'A' or @grade = 'B' or @grade = 'C' or @grade = 'D'">v.<xsl:value-of select="@grade"/></xsl:when>
                <xsl:otherwise>v.other</xsl:otherwise>
              </xsl:choose>
            </xsl:with-param>
          </xsl:call-template>
        </p>
        <dl class="meta">
          <dt><xsl:call-template name="t"><xsl:with-param name="k" select="'grade'"/></xsl:call-template></dt>
          <dd><xsl:call-template name="v"><xsl:with-param name="s" select="@grade"/></xsl:call-template></dd>
          <dt><xsl:call-template name="t"><xsl:with-param name="k" select="'score'"/></xsl:call-template></dt>
          <dd><xsl:value-of select="@score"/> / 100</dd>
          <dt><xsl:call-template name="t"><xsl:with-param name="k" select="'date'"/></xsl:call-template></dt>
          <dd><xsl:call-template name="v"><xsl:with-param name="s" select="@started"/></xsl:call-template></dd>
          <dt><xsl:call-template name="t"><xsl:with-param name="k" select="'tool'"/></xsl:call-template></dt>
          <dd><xsl:call-template name="v"><xsl:with-param name="s" select="@tool"/></xsl:call-template></dd>
          <dt><xsl:call-template name="t"><xsl:with-param name="k" select="'source'"/></xsl:call-template></dt>
          <dd><xsl:apply-templates select="source"/><xsl:if test="not(source)">—</xsl:if></dd>
        </dl>
      </div>
    </section>
  </xsl:template>

  <xsl:template match="source">
    <xsl:choose>
      <xsl:when test="@kind = 'live'">
        <xsl:call-template name="t"><xsl:with-param name="k" select="'src.live'"/></xsl:call-template>
        <xsl:call-template name="resolvers"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="t">
          <xsl:with-param name="k" select="concat('src.', @kind)"/>
        </xsl:call-template>
        <xsl:call-template name="zonefiles"/>
        <xsl:if test="@kind = 'overlay'">
          <xsl:text>; </xsl:text>
          <xsl:call-template name="resolvers"/>
        </xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="resolvers">
    <xsl:for-each select="resolver">
      <xsl:if test="position() &gt; 1">, </xsl:if>
      <code><xsl:call-template name="v"><xsl:with-param name="s" select="@address"/></xsl:call-template></code>
    </xsl:for-each>
    <xsl:if test="not(resolver)">
      <xsl:call-template name="t"><xsl:with-param name="k" select="'src.default'"/></xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- Many zone files: the one named after the domain first, then a count. -->
  <xsl:template name="zonefiles">
    <xsl:variable name="d" select="/audit/@domain"/>
    <xsl:variable name="own" select="zone-file[contains(@path, concat('/', $d, '.zone')) or @path = concat($d, '.zone')]"/>
    <xsl:choose>
      <xsl:when test="count(zone-file) &lt;= 3">
        <xsl:for-each select="zone-file">
          <xsl:if test="position() &gt; 1">, </xsl:if>
          <code><xsl:call-template name="v"><xsl:with-param name="s" select="@path"/></xsl:call-template></code>
        </xsl:for-each>
      </xsl:when>
      <xsl:otherwise>
        <code>
          <xsl:choose>
            <xsl:when test="$own"><xsl:value-of select="$own[1]/@path"/></xsl:when>
            <xsl:otherwise><xsl:call-template name="v"><xsl:with-param name="s" select="zone-file[1]/@path"/></xsl:call-template></xsl:otherwise>
          </xsl:choose>
        </code>
        <xsl:text> + </xsl:text>
        <xsl:value-of select="count(zone-file) - 1"/>
        <xsl:call-template name="t"><xsl:with-param name="k" select="'src.more'"/></xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- (2) Findings, worst first (the XML already has them in that order). -->
  <xsl:template name="findings">
    <section>
      <h2><xsl:call-template name="t"><xsl:with-param name="k" select="'findings'"/></xsl:call-template></h2>
      <xsl:apply-templates select="findings/finding"/>
      <xsl:if test="not(findings/finding)">
        <p><xsl:call-template name="t"><xsl:with-param name="k" select="'nofindings'"/></xsl:call-template></p>
      </xsl:if>
    </section>
  </xsl:template>

  <!-- Severity as a word and a shape, never colour alone. -->
  <xsl:template name="sev">
    <xsl:param name="s"/>
    <span class="sev {$s}">
      <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <xsl:choose>
          <xsl:when test="$s = 'fail'">
            <polygon points="5,1 11,1 15,5 15,11 11,15 5,15 1,11 1,5" fill="currentColor"/>
            <path d="M5 5 L11 11 M11 5 L5 11" stroke="#fff" stroke-width="2"/>
          </xsl:when>
          <xsl:when test="$s = 'warn'">
            <polygon points="8,1 15,15 1,15" fill="currentColor"/>
            <path d="M8 6 L8 10 M8 12 L8 13.5" stroke="#fff" stroke-width="2"/>
          </xsl:when>
          <xsl:otherwise>
            <circle cx="8" cy="8" r="7" fill="currentColor"/>
            <path d="M8 7 L8 12 M8 4 L8 5.5" stroke="#fff" stroke-width="2"/>
          </xsl:otherwise>
        </xsl:choose>
      </svg>
      <xsl:call-template name="t">
        <xsl:with-param name="k" select="concat('sev.', $s)"/>
      </xsl:call-template>
    </span>
  </xsl:template>

  <xsl:template match="finding">
    <article class="finding {@severity}">
      <h3>
        <xsl:call-template name="sev"><xsl:with-param name="s" select="@severity"/></xsl:call-template>
        <xsl:call-template name="txt"><xsl:with-param name="n" select="title"/></xsl:call-template>
      </h3>
      <h4><xsl:call-template name="t"><xsl:with-param name="k" select="'why'"/></xsl:call-template></h4>
      <p><xsl:call-template name="txt"><xsl:with-param name="n" select="explanation"/></xsl:call-template></p>
      <h4><xsl:call-template name="t"><xsl:with-param name="k" select="'who'"/></xsl:call-template></h4>
      <p><xsl:call-template name="who"/></p>
      <h4><xsl:call-template name="t"><xsl:with-param name="k" select="'fix'"/></xsl:call-template></h4>
      <pre class="fix"><xsl:call-template name="txt"><xsl:with-param name="n" select="remediation"/></xsl:call-template></pre>
      <xsl:if test="@rfc">
        <p class="muted"><xsl:call-template name="t"><xsl:with-param name="k" select="'ref'"/></xsl:call-template>: <xsl:value-of select="@rfc"/> · <code><xsl:value-of select="@id"/></code></p>
      </xsl:if>
    </article>
  </xsl:template>

  <!-- Who has to act, from the area (and the rule, for SPF includes). -->
  <xsl:template name="who">
    <xsl:call-template name="t">
      <xsl:with-param name="k">
        <xsl:choose>
          <xsl:when test="contains(@id, 'include')">who.third</xsl:when>
          <xsl:when test="@area = 'spf' or @area = 'dmarc' or @area = 'bimi'">who.dns</xsl:when>
          <xsl:when test="@area = 'dkim'">who.mail</xsl:when>
          <xsl:when test="@area = 'samples'">who.sender</xsl:when>
          <xsl:otherwise>who.host</xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- (3) Inconclusive areas: not failures. -->
  <xsl:template name="inconclusive">
    <xsl:if test="area[@status != 'ok']">
      <section>
        <h2><xsl:call-template name="t"><xsl:with-param name="k" select="'inconclusive'"/></xsl:call-template></h2>
        <p><xsl:call-template name="t"><xsl:with-param name="k" select="'inc.intro'"/></xsl:call-template></p>
        <table>
          <thead><tr>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'area'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'reason'"/></xsl:call-template></th>
          </tr></thead>
          <tbody>
            <xsl:for-each select="area[@status != 'ok']">
              <tr>
                <td><xsl:value-of select="@name"/></td>
                <td>
                  <xsl:call-template name="v"><xsl:with-param name="s" select="@reason"/></xsl:call-template>
                  <xsl:if test="@detail"> (<xsl:value-of select="@detail"/>)</xsl:if>
                </td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </section>
    </xsl:if>
  </xsl:template>

  <!-- (4) Evidence. -->
  <xsl:template match="mx">
    <h3><xsl:call-template name="t"><xsl:with-param name="k" select="'mx'"/></xsl:call-template></h3>
    <xsl:choose>
      <xsl:when test="host">
        <table>
          <thead><tr>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'pref'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'host'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'addresses'"/></xsl:call-template></th>
          </tr></thead>
          <tbody>
            <xsl:for-each select="host">
              <tr>
                <td><xsl:value-of select="@preference"/></td>
                <td class="mono">
                  <xsl:call-template name="v"><xsl:with-param name="s" select="@name"/></xsl:call-template>
                  <xsl:if test="@alias-target"> → <xsl:value-of select="@alias-target"/></xsl:if>
                </td>
                <td class="mono">
                  <xsl:for-each select="address">
                    <xsl:if test="position() &gt; 1">, </xsl:if>
                    <xsl:value-of select="."/>
                  </xsl:for-each>
                  <xsl:if test="not(address)">—</xsl:if>
                </td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </xsl:when>
      <xsl:otherwise>
        <p><xsl:call-template name="t"><xsl:with-param name="k" select="'nomx'"/></xsl:call-template> (<xsl:value-of select="@status"/>)</p>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="spf">
    <h3><xsl:call-template name="t"><xsl:with-param name="k" select="'spf'"/></xsl:call-template></h3>
    <xsl:choose>
      <xsl:when test="node">
        <p>
          <xsl:value-of select="@lookups"/><xsl:text> </xsl:text>
          <xsl:call-template name="t"><xsl:with-param name="k" select="'lookups'"/></xsl:call-template>
          <xsl:call-template name="t"><xsl:with-param name="k" select="'of10'"/></xsl:call-template>
        </p>
        <ul class="spf"><xsl:apply-templates select="node"/></ul>
      </xsl:when>
      <xsl:when test="record">
        <pre class="fix"><xsl:value-of select="record[1]"/></pre>
      </xsl:when>
      <xsl:otherwise>
        <p><xsl:call-template name="t"><xsl:with-param name="k" select="'nospf'"/></xsl:call-template></p>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The SPF tree: recursive over node/term/node. -->
  <xsl:template match="node">
    <li>
      <strong class="mono"><xsl:call-template name="v"><xsl:with-param name="s" select="@domain"/></xsl:call-template></strong>
      <xsl:text> </xsl:text><span class="muted">(<xsl:value-of select="@result"/>)</span>
      <xsl:if test="@error"> — <xsl:value-of select="@error"/></xsl:if>
      <xsl:if test="record"><br/><code><xsl:value-of select="record"/></code></xsl:if>
      <xsl:if test="term">
        <ul class="spf"><xsl:apply-templates select="term"/></ul>
      </xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="term">
    <li>
      <code><xsl:call-template name="v"><xsl:with-param name="s" select="@text"/></xsl:call-template></code>
      <xsl:text> </xsl:text>
      <span class="muted">
        <xsl:text>[</xsl:text><xsl:value-of select="@lookups"/><xsl:text> </xsl:text>
        <xsl:call-template name="t"><xsl:with-param name="k" select="'lookups'"/></xsl:call-template>
        <xsl:text>]</xsl:text>
      </span>
      <xsl:if test="@over-limit = 'true'"> <strong> ⚠ &gt; 10</strong></xsl:if>
      <xsl:if test="@note"> — <xsl:value-of select="@note"/></xsl:if>
      <xsl:if test="node">
        <ul class="spf"><xsl:apply-templates select="node"/></ul>
      </xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="dkim">
    <h3><xsl:call-template name="t"><xsl:with-param name="k" select="'dkim'"/></xsl:call-template></h3>
    <xsl:choose>
      <xsl:when test="selector">
        <table>
          <thead><tr>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'selector'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'keytype'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'bits'"/></xsl:call-template></th>
            <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'status'"/></xsl:call-template></th>
          </tr></thead>
          <tbody>
            <xsl:for-each select="selector">
              <xsl:variable name="sel" select="."/>
              <xsl:for-each select="key">
                <tr>
                  <td class="mono"><xsl:call-template name="v"><xsl:with-param name="s" select="$sel/@name"/></xsl:call-template></td>
                  <td><xsl:call-template name="v"><xsl:with-param name="s" select="@type"/></xsl:call-template></td>
                  <td><xsl:call-template name="v"><xsl:with-param name="s" select="@bits"/></xsl:call-template></td>
                  <td>
                    <xsl:choose>
                      <xsl:when test="@revoked = 'true'">revoked</xsl:when>
                      <xsl:when test="@syntax-error"><xsl:value-of select="@syntax-error"/></xsl:when>
                      <xsl:when test="@testing = 'true'">ok (t=y)</xsl:when>
                      <xsl:otherwise>ok</xsl:otherwise>
                    </xsl:choose>
                  </td>
                </tr>
              </xsl:for-each>
              <xsl:if test="not(key)">
                <tr>
                  <td class="mono"><xsl:call-template name="v"><xsl:with-param name="s" select="@name"/></xsl:call-template></td>
                  <td>—</td><td>—</td>
                  <td><xsl:value-of select="@status"/></td>
                </tr>
              </xsl:if>
            </xsl:for-each>
          </tbody>
        </table>
      </xsl:when>
      <xsl:otherwise>
        <p><xsl:call-template name="t"><xsl:with-param name="k" select="'nodkim'"/></xsl:call-template></p>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="samples">
    <h3><xsl:call-template name="t"><xsl:with-param name="k" select="'samples'"/></xsl:call-template></h3>
    <table>
      <thead><tr>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'file'"/></xsl:call-template></th>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'from'"/></xsl:call-template></th>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'signatures'"/></xsl:call-template></th>
        <th scope="col">DMARC</th>
      </tr></thead>
      <tbody>
        <xsl:for-each select="sample">
          <tr>
            <td class="mono"><xsl:call-template name="v"><xsl:with-param name="s" select="@file"/></xsl:call-template></td>
            <td class="mono"><xsl:call-template name="v"><xsl:with-param name="s" select="@from-domain"/></xsl:call-template></td>
            <td>
              <xsl:for-each select="signature">
                <xsl:if test="position() &gt; 1"><br/></xsl:if>
                <span class="mono">d=<xsl:value-of select="@domain"/> s=<xsl:value-of select="@selector"/></span>
                <xsl:text> (</xsl:text><xsl:value-of select="@algorithm"/>, <xsl:value-of select="@bits"/> bits): <strong><xsl:value-of select="@result"/></strong>
                <xsl:if test="@detail"> — <xsl:value-of select="@detail"/></xsl:if>
                <xsl:if test="string(@key-origin) != ''">
                  <xsl:text> </xsl:text><small>(<xsl:call-template name="t"><xsl:with-param name="k" select="'keyfrom'"/></xsl:call-template><xsl:text> </xsl:text><span class="mono"><xsl:value-of select="@key-origin"/></span>)</small>
                </xsl:if>
              </xsl:for-each>
              <xsl:if test="@error"><xsl:value-of select="@error"/></xsl:if>
              <xsl:if test="not(signature) and not(@error)">—</xsl:if>
            </td>
            <td>
              <xsl:call-template name="v"><xsl:with-param name="s" select="@dmarc"/></xsl:call-template>
              <xsl:if test="@dkim-aligned"> (DKIM: <xsl:value-of select="@dkim-aligned"/>)</xsl:if>
            </td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <xsl:template match="dmarc">
    <h3><xsl:call-template name="t"><xsl:with-param name="k" select="'dmarc'"/></xsl:call-template></h3>
    <xsl:choose>
      <xsl:when test="record">
        <pre class="fix"><xsl:value-of select="record/text"/></pre>
      </xsl:when>
      <xsl:otherwise>
        <p><xsl:call-template name="t"><xsl:with-param name="k" select="'nodmarc'"/></xsl:call-template></p>
      </xsl:otherwise>
    </xsl:choose>
    <table>
      <caption><xsl:call-template name="t"><xsl:with-param name="k" select="'discovery'"/></xsl:call-template></caption>
      <thead><tr>
        <th scope="col">RFC</th>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'record'"/></xsl:call-template></th>
        <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'result'"/></xsl:call-template></th>
      </tr></thead>
      <tbody>
        <xsl:for-each select="discovery">
          <tr>
            <td><xsl:value-of select="@spec"/></td>
            <td class="mono">
              <xsl:for-each select="query">
                <xsl:if test="position() &gt; 1"><br/></xsl:if>
                <xsl:value-of select="@name"/> (<xsl:value-of select="@status"/>)
              </xsl:for-each>
              <xsl:if test="not(query)">—</xsl:if>
            </td>
            <td><xsl:call-template name="v"><xsl:with-param name="s" select="@detail"/></xsl:call-template></td>
          </tr>
        </xsl:for-each>
        <xsl:if test="not(discovery)"><tr><td>—</td><td>—</td><td>—</td></tr></xsl:if>
      </tbody>
    </table>
  </xsl:template>

  <!-- The mail client card: IMAP, POP3 and SMTP submission from SRV. -->
  <xsl:template match="srv">
    <section class="card">
      <h3><xsl:call-template name="t"><xsl:with-param name="k" select="'client'"/></xsl:call-template></h3>
      <xsl:choose>
        <xsl:when test="service[@offered = 'true']/target">
          <table>
            <thead><tr>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'service'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'host'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'port'"/></xsl:call-template></th>
              <th scope="col"><xsl:call-template name="t"><xsl:with-param name="k" select="'enc'"/></xsl:call-template></th>
            </tr></thead>
            <tbody>
              <xsl:for-each select="service[@offered = 'true']/target">
                <tr>
                  <td><xsl:call-template name="t"><xsl:with-param name="k" select="concat('svc.', ../@family)"/></xsl:call-template></td>
                  <td class="mono"><xsl:call-template name="v"><xsl:with-param name="s" select="@host"/></xsl:call-template></td>
                  <td><xsl:value-of select="@port"/></td>
                  <td><xsl:call-template name="t"><xsl:with-param name="k" select="concat('enc.', ../@tls)"/></xsl:call-template></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise>
          <p><xsl:call-template name="t"><xsl:with-param name="k" select="'noclient'"/></xsl:call-template></p>
        </xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>

  <xsl:template match="text()"/>
</xsl:stylesheet>
