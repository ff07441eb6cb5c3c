package rest

import (
	"bytes"
	"html"
	"html/template"
	"regexp"
	"sort"
	"strings"
)

// The docs page is rendered once, on the server, from the generated OpenAPI document. It is
// self-contained: inline CSS, no scripts, no fonts, no external URL, so it works offline.

type docsView struct {
	Title       string
	Version     string
	Description string
	Tags        []tagView
	Schemas     []schemaView
}

type tagView struct {
	Name        string
	Description string
	Ops         []opView
}

type opView struct {
	ID          string
	Method      string
	Path        string
	Summary     string
	Description string
	Security    []string
	Params      []oaParameter
	Body        *bodyView
	Responses   []respView
}

type bodyView struct {
	Description string
	ContentType string
	Schema      template.HTML
}

type respView struct {
	Status      string
	Description string
	ContentType string
	Schema      template.HTML
}

type schemaView struct {
	Name   string
	Schema template.HTML
}

// renderDocs renders the docs page of doc.
func renderDocs(doc *oaDocument) ([]byte, error) {
	v := docsView{Title: doc.Info.Title, Version: doc.Info.Version, Description: doc.Info.Description}
	byTag := map[string]*tagView{}
	for _, t := range doc.Tags {
		v.Tags = append(v.Tags, tagView{Name: t.Name, Description: t.Description})
	}
	for i := range v.Tags {
		byTag[v.Tags[i].Name] = &v.Tags[i]
	}
	for _, path := range doc.order {
		item := doc.Paths[path]
		for _, m := range [...]string{"get", "post", "put", "patch", "delete", "head", "options"} {
			op := item[m]
			if op == nil {
				continue
			}
			ov, err := opViewOf(doc, path, m, op)
			if err != nil {
				return nil, err
			}
			tag := "server"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			tv := byTag[tag]
			if tv == nil {
				v.Tags = append(v.Tags, tagView{Name: tag})
				for i := range v.Tags {
					byTag[v.Tags[i].Name] = &v.Tags[i]
				}
				tv = byTag[tag]
			}
			tv.Ops = append(tv.Ops, ov)
		}
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s, err := schemaHTML(doc.Components.Schemas[n])
		if err != nil {
			return nil, err
		}
		v.Schemas = append(v.Schemas, schemaView{Name: n, Schema: s})
	}
	var b bytes.Buffer
	if err := docsTemplate().Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func opViewOf(doc *oaDocument, path, method string, op *oaOperation) (opView, error) {
	ov := opView{ID: op.OperationID, Method: strings.ToUpper(method), Path: path, Summary: op.Summary,
		Description: op.Description, Params: op.Parameters}
	for _, req := range op.Security {
		for name := range req {
			ov.Security = append(ov.Security, name)
		}
	}
	sort.Strings(ov.Security)
	if rb := op.RequestBody; rb != nil {
		for ct, m := range rb.Content {
			s, err := schemaHTML(m.Schema)
			if err != nil {
				return ov, err
			}
			ov.Body = &bodyView{Description: rb.Description, ContentType: ct, Schema: s}
		}
	}
	statuses := make([]string, 0, len(op.Responses))
	for st := range op.Responses {
		statuses = append(statuses, st)
	}
	sort.Strings(statuses)
	for _, st := range statuses {
		r := op.Responses[st]
		if r.Ref != "" {
			r = doc.Components.Responses[strings.TrimPrefix(r.Ref, "#/components/responses/")]
		}
		rv := respView{Status: st, Description: r.Description}
		for ct, m := range r.Content {
			s, err := schemaHTML(m.Schema)
			if err != nil {
				return ov, err
			}
			rv.ContentType, rv.Schema = ct, s
		}
		ov.Responses = append(ov.Responses, rv)
	}
	return ov, nil
}

var schemaRefRE = regexp.MustCompile(`&#34;#/components/schemas/([A-Za-z0-9._-]+)&#34;`)

// schemaHTML renders a schema as indented JSON whose $refs link to the schema section.
func schemaHTML(s any) (template.HTML, error) {
	b, err := marshalIndent(s)
	if err != nil {
		return "", err
	}
	esc := html.EscapeString(strings.TrimRight(string(b), "\n"))
	esc = schemaRefRE.ReplaceAllString(esc, `&#34;<a href="#schema-$1">#/components/schemas/$1</a>&#34;`)
	return template.HTML(esc), nil // escaped above; only in-page anchors were added
}

func docsTemplate() *template.Template {
	return template.Must(template.New("docs").Funcs(template.FuncMap{
		"lower": strings.ToLower,
	}).Parse(docsHTML))
}

const docsHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} API</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
header,main{max-width:960px;margin:0 auto;padding:0 20px}
header{padding-top:24px;border-bottom:1px solid #d0d7de}
h1 small{font-weight:normal;color:#59636e;font-size:60%}
h2{margin-top:32px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
nav a{margin-right:12px}
a{color:#0969da}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:10px;overflow:auto;border-radius:6px;margin:4px 0 12px}
details.op{border:1px solid #d0d7de;border-radius:6px;margin:8px 0;padding:0 12px}
details.op[open]{padding-bottom:8px}
details.op summary{cursor:pointer;padding:8px 0;list-style:none}
.m{display:inline-block;min-width:64px;text-align:center;border-radius:4px;color:#fff;font-weight:600;font-size:12px;padding:2px 6px;margin-right:8px}
.m-get{background:#1f6feb}.m-post{background:#1a7f37}.m-put{background:#9a6700}.m-delete{background:#cf222e}.m-patch{background:#8250df}
table{border-collapse:collapse;margin:4px 0 12px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
.muted{color:#59636e}
</style>
</head>
<body>
<header>
<h1>{{.Title}} <small>{{.Version}}</small></h1>
<p>{{.Description}}</p>
<nav>{{range .Tags}}<a href="#tag-{{.Name}}">{{.Name}}</a>{{end}}<a href="#schemas">schemas</a><a href="/openapi/json">OpenAPI JSON</a></nav>
<p></p>
</header>
<main>
{{range .Tags}}
<section id="tag-{{.Name}}">
<h2>{{.Name}}</h2>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{range .Ops}}
<details class="op" id="op-{{.ID}}">
<summary><span class="m m-{{lower .Method}}">{{.Method}}</span><code>{{.Path}}</code> <span class="muted">{{.Summary}}</span></summary>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Security}}<p><strong>Auth:</strong> {{range .Security}}<a href="#security">{{.}}</a> {{end}}</p>{{end}}
{{if .Params}}<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{if .Required}}yes{{else}}no{{end}}</td><td>{{.Description}}</td></tr>
{{end}}</table>{{end}}
{{with .Body}}<p><strong>Request body</strong> <code>{{.ContentType}}</code>{{if .Description}}: {{.Description}}{{end}}</p>
<pre>{{.Schema}}</pre>{{end}}
<p><strong>Responses</strong></p>
<table><tr><th>Status</th><th>Description</th><th>Body</th></tr>
{{range .Responses}}<tr><td>{{.Status}}</td><td>{{.Description}}</td><td>{{if .ContentType}}<code>{{.ContentType}}</code><pre>{{.Schema}}</pre>{{end}}</td></tr>
{{end}}</table>
</details>
{{end}}
</section>
{{end}}
<section id="security">
<h2>Authentication</h2>
<p>Routes marked <code>bearerAuth</code> pass the server's authentication hook (send <code>Authorization: Bearer &lt;token&gt;</code>).
Routes marked <code>adminToken</code> need <code>Authorization: Bearer &lt;admin token&gt;</code>; the admin token also passes the hook.</p>
</section>
<section id="schemas">
<h2>Schemas</h2>
{{range .Schemas}}<h3 id="schema-{{.Name}}">{{.Name}}</h3>
<pre>{{.Schema}}</pre>
{{end}}
</section>
</main>
</body>
</html>
`
