// Editing a config section through POST /v1/<resource>/<name> (profiles, SIM rules, WANs,
// policies, traffic rules): the form sends only the options that changed; uplinkd first answers
// what each modem would do (the preview), and only "Apply" saves and applies it, live.
import { useState } from 'preact/hooks';
import { post } from './api.js';
import { Card, ErrorText } from './components.jsx';

// An option's value in the form's terms, from what GET /v1/profiles shows.
function formValue(field, shown) {
  if (field.type === 'secret') return '';
  if (field.type === 'checkbox') return Boolean(shown);
  if (Array.isArray(shown)) return shown.join(field.type === 'lines' ? '\n' : ' ');
  return shown === null || shown === undefined ? '' : String(shown);
}

function optionValue(field, value) {
  if (field.type === 'checkbox') return value;
  if (field.type === 'number') return value === '' ? null : Number(value);
  // A list option is a JSON array (docs/api.md): words, or lines whose words belong together.
  if (field.type === 'list') return value.split(/\s+/).filter(Boolean);
  if (field.type === 'lines') return value.split('\n').map((line) => line.trim()).filter(Boolean);
  return value;
}

function Field({ field, value, onChange, cleared, onClear }) {
  const id = `field-${field.name}`;
  if (field.type === 'checkbox')
    return (
      <label class="check">
        <input id={id} type="checkbox" checked={value} onChange={(event) => onChange(event.target.checked)} />
        {field.label}
      </label>
    );
  return (
    <label for={id}>
      {field.label}
      {field.type === 'select' && (
        <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
          {field.choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      )}
      {field.type === 'lines' && (
        <textarea id={id} rows={3} value={value} placeholder={field.placeholder} onInput={(event) => onChange(event.target.value)} />
      )}
      {field.type !== 'select' && field.type !== 'lines' && (
        <input
          id={id}
          type={field.type === 'secret' ? 'password' : 'text'}
          inputMode={field.type === 'number' ? 'numeric' : undefined}
          value={value}
          placeholder={field.placeholder}
          autocomplete={field.type === 'secret' ? 'new-password' : 'off'}
          onInput={(event) => onChange(event.target.value)}
        />
      )}
      {field.type === 'secret' && field.isSet && (
        <span class="check">
          <input type="checkbox" checked={cleared} onChange={(event) => onClear(event.target.checked)} /> remove it
        </span>
      )}
      {field.help && <small>{field.help}</small>}
    </label>
  );
}

export function Changes({ result }) {
  if (!result) return null;
  // A WAN, policy or traffic rule moves no modem: each would show "none".
  const routingOnly = result.changed?.includes('wan') && !result.changed.some((name) => name === 'profiles' || name === 'rules');
  const changes = routingOnly ? [] : result.changes;
  return (
    <div class="changes" role="status">
      <p>
        <strong>{result.applied ? 'Applied.' : 'Preview: nothing has changed yet.'}</strong>
      </p>
      {changes.length === 0 && (
        <p class="muted">{routingOnly ? 'No modem reconnects: the policy routing follows at once.' : 'No modem uses it now.'}</p>
      )}
      <ul>
        {changes.map((change) => (
          <li key={change.modem_id}>
            {change.wan?.toUpperCase()} ({change.modem_id}): <strong>{change.action}</strong>
            {change.radio_action === 'apply' && ', radio settings applied'}
            {change.differences.length > 0 && (
              <ul>
                {change.differences.map((difference) => (
                  <li key={difference}>{difference}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

// `resource`: "/profiles/home"; `fields`: [{name, label, type, choices, shown}] where `shown` is
// the option's value as GET /v1/profiles has it, and a secret's `isSet` whether one is set.
// A field's `start` is a value to begin with other than the one shown (an operator picked from a
// scan). `creating`: a new profile or rule, whose every filled-in option is sent.
function Form({ resource, fields, onApplied, onEdit, creating }) {
  const initial = Object.fromEntries(fields.map((field) => [field.name, formValue(field, field.shown)]));
  const [values, setValues] = useState(() =>
    Object.fromEntries(fields.map((field) => [field.name, field.start ?? initial[field.name]])),
  );
  const [cleared, setCleared] = useState({});
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  function changedOptions() {
    const options = {};
    for (const field of fields) {
      if (field.type === 'secret') {
        if (cleared[field.name]) options[field.name] = '';
        else if (values[field.name]) options[field.name] = values[field.name];
      } else if (
        values[field.name] !== initial[field.name] ||
        // A new section gets what is filled in; a checkbox left as it was keeps the default.
        (creating && field.type !== 'checkbox' && values[field.name] !== '')
      ) {
        options[field.name] = optionValue(field, values[field.name]);
      }
    }
    return options;
  }

  async function send(apply) {
    setBusy(true);
    setError(null);
    try {
      const reply = await post(resource, { options: changedOptions(), preview: !apply });
      setResult(apply ? null : reply);
      if (apply) onApplied(reply);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function set(name, value) {
    setValues({ ...values, [name]: value });
    setResult(null);
    onEdit();
  }

  return (
    <form
      class="editor"
      onSubmit={(event) => {
        event.preventDefault();
        send(false);
      }}
    >
      <div class="fields">
        {fields.map((field) => (
          <Field
            key={field.name}
            field={field}
            value={values[field.name]}
            onChange={(value) => set(field.name, value)}
            cleared={Boolean(cleared[field.name])}
            onClear={(value) => {
              setCleared({ ...cleared, [field.name]: value });
              setResult(null);
              onEdit();
            }}
          />
        ))}
      </div>
      <ErrorText error={error} />
      <Changes result={result} />
      <p class="buttons">
        <button type="submit" disabled={busy}>
          Preview
        </button>
        <button type="button" class="primary" disabled={busy || !result} onClick={() => send(true)}>
          Apply
        </button>
      </p>
    </form>
  );
}

// The form, and what the last "Apply" did. Once applied, the caller reloads what it shows and
// the form starts again from the new values (`fields`), while the outcome stays in view.
export function Editor({ resource, fields, onSaved, creating }) {
  const [applied, setApplied] = useState(null);
  return (
    <>
      <Form
        key={JSON.stringify(fields)}
        resource={resource}
        fields={fields}
        creating={creating}
        onApplied={(reply) => {
          setApplied(reply);
          onSaved?.(reply);
        }}
        onEdit={() => setApplied(null)}
      />
      <Changes result={applied} />
    </>
  );
}

// A new section: its name first, then the same editor. `base`: "/profiles"; `pattern` and
// `nameRule` say what a name may be, as the config does.
export function Creator({ title, base, fields, pattern, nameRule, reload }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState(null);
  const valid = pattern.test(name);
  return (
    <Card title={title}>
      <Changes result={created} />
      <label>
        Name ({nameRule})
        <input
          value={name}
          onInput={(event) => {
            setName(event.target.value);
            setCreated(null);
          }}
          autocomplete="off"
        />
      </label>
      {name && !valid && <p class="error">A name is {nameRule}.</p>}
      {valid && (
        <Editor
          key={name}
          resource={`${base}/${name}`}
          fields={fields}
          creating
          onSaved={(reply) => {
            setCreated(reply);
            setName('');
            reload();
          }}
        />
      )}
    </Card>
  );
}

// Removing a section: the same preview, then apply.
export function Remover({ resource, onRemoved }) {
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  async function send(apply) {
    setError(null);
    try {
      const reply = await post(`${resource}/delete`, { preview: !apply });
      setResult(reply);
      if (apply) onRemoved?.(reply);
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <div class="remover">
      <ErrorText error={error} />
      <Changes result={result} />
      {result && !result.applied ? (
        <button type="button" class="danger" onClick={() => send(true)}>
          Remove it
        </button>
      ) : (
        <button type="button" class="danger" onClick={() => send(false)}>
          Remove…
        </button>
      )}
    </div>
  );
}
