package mattermost

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// Dialog callback ids and element names.
const (
	callbackActivate = "activate"
	callbackClick    = "click"

	fieldServices   = "services"
	fieldStrategy   = "strategy"
	fieldAssessment = "assessment"
	fieldDrill      = "drill"
	fieldReason     = "reason"
)

// openActivation opens the activation dialog: the same fields as Slack's
// modal (services, strategy, assessment, drill). Its state carries, under
// the bot's MAC, who opened it, from which channel, the drill flag and
// the language.
func (a *Adapter) openActivation(ctx context.Context, trigger string, o bot.Origin, f *bot.Form) error {
	return a.openDialog(ctx, a.activationDialog(trigger, o, f))
}

func (a *Adapter) activationDialog(trigger string, o bot.Origin, f *bot.Form) model.OpenDialogRequest {
	lang := f.Lang
	services := &model.DialogElement{DisplayName: label(f.ServicesLabel, tr(lang, "Servicios", "Services")), Name: fieldServices,
		Type: "select", MultiSelect: true, Default: strings.Join(f.Selected, ","),
		Placeholder: tr(lang, "Elija los servicios afectados", "Choose the affected services")}
	for _, opt := range f.Services {
		services.Options = append(services.Options, &model.PostActionOptions{Text: opt.Label, Value: opt.Value})
	}
	strategy := &model.DialogElement{DisplayName: label(f.StrategyLabel, tr(lang, "Estrategia", "Strategy")), Name: fieldStrategy,
		Type: "select", Default: f.Strategy, HelpText: fit(f.StrategyLabel, model.DialogElementHelpTextMaxLength)}
	for _, opt := range f.Strategies {
		strategy.Options = append(strategy.Options, &model.PostActionOptions{Text: opt.Label, Value: opt.Value})
	}
	assessment := &model.DialogElement{DisplayName: label(f.AssessmentLabel, tr(lang, "Evaluación", "Assessment")), Name: fieldAssessment,
		Type: "textarea", MaxLength: model.DialogElementTextareaMaxLength, Optional: true,
		Placeholder: fit(f.AssessmentHint, model.DialogElementTextareaMaxLength)}
	drill := &model.DialogElement{DisplayName: label(f.DrillLabel, tr(lang, "Simulacro", "Drill")), Name: fieldDrill, Type: "bool",
		Default: fmt.Sprint(f.Drill), Optional: true, Placeholder: fit(f.DrillLabel, model.DialogElementBoolMaxLength)}
	st := dialogState{Kind: callbackActivate, UserID: o.UserID, UserName: o.UserName, Channel: cmpOr(f.Channel, o.ChannelID),
		Lang: lang, Drill: f.Drill, Delivery: o.Delivery}
	req := model.OpenDialogRequest{TriggerId: trigger, URL: a.dialogURL(), Dialog: model.Dialog{
		CallbackId: callbackActivate, Title: fit(f.Title, model.DialogTitleMaxLength), SubmitLabel: f.Submit,
		Elements: []model.DialogElement{*services, *strategy, *assessment, *drill}, State: a.sign.seal(st)}}
	return req
}

// label is the form's label when it fits a dialog element's display
// name, else the short one.
func label(long, short string) string {
	if long != "" && len(long) <= model.DialogElementDisplayNameMaxLength {
		return long
	}
	return fit(short, model.DialogElementDisplayNameMaxLength)
}

// openClickDialog asks for the confirmation or the reason of a click.
// openClickDialog confirms a click in a dialog; an action nobody approves
// shows its dry run there, and submitting runs it on those very facts.
func (a *Adapter) openClickDialog(ctx context.Context, trigger string, o bot.Origin, c buttonContext) error {
	if summary, reviewed, ok := a.bot.Review(ctx, o, c.Action); ok {
		c.Text = strings.TrimSpace(c.Text + "\n\n" + tr(c.Lang, "Antes de ejecutar, revise: %s", "Before running, review: %s", summary))
		c.Action = reviewed
	}
	return a.openDialog(ctx, a.clickDialog(trigger, o, c))
}

func (a *Adapter) clickDialog(trigger string, o bot.Origin, c buttonContext) model.OpenDialogRequest {
	lang := c.Lang
	d := model.Dialog{CallbackId: callbackClick, Title: fit(cmpOr(c.Title, c.Label), model.DialogTitleMaxLength),
		IntroductionText: markdown(c.Text), SubmitLabel: cmpOr(c.OK, c.Label)}
	if c.Mode == modeReason {
		d.Elements = []model.DialogElement{{DisplayName: tr(lang, "Motivo", "Reason"), Name: fieldReason, Type: "textarea",
			MinLength: 1, MaxLength: model.DialogElementTextareaMaxLength,
			Placeholder: tr(lang, "Por qué (queda en la línea de tiempo)", "Why (it goes into the timeline)")}}
	}
	st := dialogState{Kind: callbackClick, UserID: o.UserID, UserName: o.UserName, Channel: c.Channel, Lang: lang,
		Action: c.Action, Reason: c.Mode == modeReason, Delivery: o.Delivery}
	d.State = a.sign.seal(st)
	return model.OpenDialogRequest{TriggerId: trigger, URL: a.dialogURL(), Dialog: d}
}

func (a *Adapter) openDialog(ctx context.Context, req model.OpenDialogRequest) error {
	if req.TriggerId == "" {
		return fmt.Errorf("opening dialog: the request carried no trigger id")
	}
	var resp *model.Response
	err := a.call(ctx, func(ctx context.Context) (err error) {
		resp, err = a.client.OpenInteractiveDialog(ctx, req)
		return err
	})
	if err != nil {
		return apiError("opening dialog", resp, err)
	}
	return nil
}

// handleDialog serves POST /mattermost/dialogs: dialog submissions.
func (a *Adapter) handleDialog(w http.ResponseWriter, r *http.Request) {
	var req model.SubmitDialogRequest
	if !readJSON(w, r, &req) {
		return
	}
	if req.Cancelled {
		w.WriteHeader(http.StatusOK)
		return
	}
	st, err := a.sign.unseal(req.State)
	if err != nil || st.UserID == "" || st.UserID != req.UserId || st.Kind != req.CallbackId {
		a.log.Warn("refused a dialog submission with a forged or foreign state", "user", req.UserId, "callback", req.CallbackId)
		http.Error(w, "dialog state not signed by this bot for this user", http.StatusUnauthorized)
		return
	}
	o := bot.Origin{Platform: Platform, UserID: st.UserID, UserName: st.UserName, ChannelID: st.Channel, Delivery: st.Delivery}
	var resp model.SubmitDialogResponse
	switch st.Kind {
	case callbackActivate:
		resp, err = a.submitActivation(r.Context(), o, st, req.Submission)
	case callbackClick:
		resp, err = a.submitClick(r.Context(), o, st, req.Submission)
	}
	if err != nil {
		a.log.Error("handling a dialog submission", "user", st.UserName, "callback", st.Kind, "err", err)
		resp = model.SubmitDialogResponse{Error: internalError(st.Lang)}
	}
	writeJSON(w, resp)
}

func (a *Adapter) submitActivation(ctx context.Context, o bot.Origin, st dialogState, sub map[string]any) (model.SubmitDialogResponse, error) {
	lang := st.Lang
	p := a.bot.Plan()
	errs := map[string]string{}
	services, ok := stringList(sub[fieldServices])
	if !ok {
		errs[fieldServices] = tr(lang, "Valor no válido.", "Invalid value.")
	}
	var unknown []string
	for _, s := range services {
		if _, found := p.Service(s); !found {
			unknown = append(unknown, s)
		}
	}
	switch {
	case len(unknown) > 0:
		errs[fieldServices] = tr(lang, "Servicios desconocidos: %s.", "Unknown services: %s.", strings.Join(unknown, ", "))
	case ok && len(services) == 0:
		errs[fieldServices] = tr(lang, "Elija al menos un servicio.", "Choose at least one service.")
	}
	strategy, _ := sub[fieldStrategy].(string)
	if !slices.ContainsFunc(p.Procedures, func(pr plan.Procedure) bool {
		return pr.Phase == plan.PhaseRestoring && string(pr.Strategy) == strategy
	}) {
		errs[fieldStrategy] = tr(lang, "Elija una estrategia del plan.", "Choose one of the plan's strategies.")
	}
	assessment, _ := sub[fieldAssessment].(string)
	drill, okDrill := boolValue(sub[fieldDrill], st.Drill)
	if !okDrill {
		errs[fieldDrill] = tr(lang, "Valor no válido.", "Invalid value.")
	}
	if len(errs) > 0 {
		return model.SubmitDialogResponse{Errors: errs}, nil
	}
	rep, err := a.bot.Activate(ctx, o, bot.Activation{Services: services, Strategy: plan.Strategy(strategy),
		Assessment: strings.TrimSpace(assessment), Drill: drill, Channel: st.Channel, Lang: lang})
	if err != nil {
		return model.SubmitDialogResponse{}, err
	}
	if rep.Refused {
		return model.SubmitDialogResponse{Error: plainText(rep.Text)}, nil
	}
	return model.SubmitDialogResponse{}, nil
}

func (a *Adapter) submitClick(ctx context.Context, o bot.Origin, st dialogState, sub map[string]any) (model.SubmitDialogResponse, error) {
	reason := ""
	if st.Reason {
		reason, _ = sub[fieldReason].(string)
		reason = strings.TrimSpace(reason)
		if reason == "" {
			return model.SubmitDialogResponse{Errors: map[string]string{fieldReason: tr(st.Lang, "Indique el motivo.", "Give the reason.")}}, nil
		}
	}
	rep, err := a.bot.Click(ctx, o, st.Action, reason)
	if err != nil {
		return model.SubmitDialogResponse{}, err
	}
	if rep.Refused {
		return model.SubmitDialogResponse{Error: plainText(rep.Text)}, nil
	}
	if len(rep.Buttons) > 0 { // the facts changed since the dialog opened
		return model.SubmitDialogResponse{Error: plainText(rep.Text) + " " + tr(st.Lang, "Cierre este diálogo y pulse el botón de nuevo.",
			"Close this dialog and press the button again.")}, nil
	}
	return model.SubmitDialogResponse{}, nil
}

// stringList reads a multi-select value: a JSON array of strings, or a
// comma- or space-separated string (servers without multi-select send
// one value).
func stringList(v any) ([]string, bool) {
	var raw []string
	switch v := v.(type) {
	case nil:
		return nil, true
	case string:
		raw = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			raw = append(raw, s)
		}
	default:
		return nil, false
	}
	var out []string
	for _, s := range raw {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, true
}

// boolValue reads a bool element (JSON true/false; some clients send the
// strings "true"/"false"); absent means the default.
func boolValue(v any, def bool) (bool, bool) {
	switch v := v.(type) {
	case nil:
		return def, true
	case bool:
		return v, true
	case string:
		switch v {
		case "true":
			return true, true
		case "false", "":
			return false, true
		}
	}
	return false, false
}

// plainText drops the bold markup of a refusal for dialog errors, which
// are not rendered as Markdown.
func plainText(s string) string { return strings.ReplaceAll(s, "*", "") }
