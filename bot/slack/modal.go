package slack

import (
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/contingencia/contingencia/bot"
	"github.com/contingencia/contingencia/plan"
)

// Callback ids of the modals the adapter opens.
const (
	callbackActivate = "contingencia.activate"
	callbackReason   = "contingencia.reason"
)

// Block and action ids of the activation modal's inputs.
const (
	fieldServices   = "services"
	fieldStrategy   = "strategy"
	fieldAssessment = "assessment"
	fieldDrill      = "drill"
	fieldReason     = "reason"
)

// Block Kit limits of modals and their inputs.
const (
	maxModalTitle   = 24
	maxOptionText   = 75
	maxOptionValue  = 150
	maxOptions      = 100
	maxRadioOptions = 10
	maxPlaceholder  = 150
	maxInputLength  = 3000
	maxMetadata     = 3000
)

// activationMeta travels in the activation modal's private_metadata.
type activationMeta struct {
	Channel string `json:"channel"`
	Drill   bool   `json:"drill"`
	Lang    string `json:"lang"`
}

// reasonMeta travels in the reason modal's private_metadata.
type reasonMeta struct {
	Value       string `json:"value"`
	Channel     string `json:"channel"`
	Lang        string `json:"lang"`
	ResponseURL string `json:"response_url,omitempty"`
}

func option(o bot.Option) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(truncate(o.Value, maxOptionValue), plain(o.Label, maxOptionText), nil)
}

// ActivationModal renders the activation form as a modal: the affected
// services (multi-select, pre-filled), the restore strategy (radio
// buttons), the damage assessment and the drill checkbox.
func ActivationModal(f *bot.Form) slack.ModalViewRequest {
	var opts, selected []*slack.OptionBlockObject
	for i, o := range f.Services {
		if i == maxOptions {
			break
		}
		opt := option(o)
		opts = append(opts, opt)
		for _, s := range f.Selected {
			if s == o.Value {
				selected = append(selected, opt)
			}
		}
	}
	services := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, plain(f.ServicesLabel, maxPlaceholder), fieldServices, opts...)
	services.InitialOptions = selected
	blocks := []slack.Block{slack.NewInputBlock(fieldServices, plain(f.ServicesLabel, 2000), nil, services)}

	if len(f.Strategies) > 0 {
		var sopts []*slack.OptionBlockObject
		var initial *slack.OptionBlockObject
		for i, o := range f.Strategies {
			if i == maxRadioOptions {
				break
			}
			opt := option(o)
			sopts = append(sopts, opt)
			if o.Value == f.Strategy {
				initial = opt
			}
		}
		radio := slack.NewRadioButtonsBlockElement(fieldStrategy, sopts...)
		radio.InitialOption = initial
		blocks = append(blocks, slack.NewInputBlock(fieldStrategy, plain(f.StrategyLabel, 2000), nil, radio))
	}

	text := slack.NewPlainTextInputBlockElement(plain(f.AssessmentHint, maxPlaceholder), fieldAssessment)
	text.Multiline, text.MaxLength = true, maxInputLength
	assessment := slack.NewInputBlock(fieldAssessment, plain(f.AssessmentLabel, 2000), nil, text)
	assessment.Optional = true
	blocks = append(blocks, assessment)

	drillOpt := slack.NewOptionBlockObject("drill", plain(f.DrillLabel, maxOptionText), nil)
	check := slack.NewCheckboxGroupsBlockElement(fieldDrill, drillOpt)
	if f.Drill {
		check.InitialOptions = []*slack.OptionBlockObject{drillOpt}
	}
	drill := slack.NewInputBlock(fieldDrill, plain(f.DrillLabel, 2000), nil, check)
	drill.Optional = true
	blocks = append(blocks, drill)

	meta, _ := json.Marshal(activationMeta{Channel: f.Channel, Drill: f.Drill, Lang: f.Lang})
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackActivate, PrivateMetadata: string(meta),
		Title: plain(f.Title, maxModalTitle), Submit: plain(f.Submit, maxModalTitle), Close: plain(f.Cancel, maxModalTitle),
		Blocks: slack.Blocks{BlockSet: blocks},
	}
}

// parseActivation reads a submitted activation modal. errs holds a
// message per field the person must correct.
func parseActivation(v slack.View) (a bot.Activation, errs map[string]string, err error) {
	var meta activationMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil {
		return a, nil, fmt.Errorf("activation modal metadata: %w", err)
	}
	if v.State == nil {
		return a, nil, fmt.Errorf("activation modal without state")
	}
	value := func(block string) slack.BlockAction { return v.State.Values[block][block] }
	for _, o := range value(fieldServices).SelectedOptions {
		a.Services = append(a.Services, o.Value)
	}
	a.Strategy = plan.Strategy(value(fieldStrategy).SelectedOption.Value)
	a.Assessment = value(fieldAssessment).Value
	_, fromCheckbox := v.State.Values[fieldDrill]
	a.Drill = len(value(fieldDrill).SelectedOptions) > 0 || !fromCheckbox && meta.Drill
	a.Channel, a.Lang = meta.Channel, meta.Lang
	if len(a.Services) == 0 {
		errs = map[string]string{fieldServices: pick(meta.Lang, "Elija al menos un servicio afectado.", "Choose at least one affected service.")}
	}
	return a, errs, nil
}

// ReasonModal asks for the reason of a skip or a rejection.
func ReasonModal(value, label, channel, lang, responseURL string) slack.ModalViewRequest {
	meta := reasonMeta{Value: value, Channel: channel, Lang: lang, ResponseURL: responseURL}
	raw, _ := json.Marshal(meta)
	if len(raw) > maxMetadata {
		meta.ResponseURL = ""
		raw, _ = json.Marshal(meta)
	}
	input := slack.NewPlainTextInputBlockElement(plain(pick(lang, "Por qué", "Why"), maxPlaceholder), fieldReason)
	input.Multiline, input.MinLength, input.MaxLength = true, 3, 1000
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: callbackReason, PrivateMetadata: string(raw),
		Title:  plain(truncate(label, maxModalTitle), maxModalTitle),
		Submit: plain(pick(lang, "Enviar", "Send"), maxModalTitle), Close: plain(pick(lang, "Cancelar", "Cancel"), maxModalTitle),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock(fieldReason, plain(pick(lang, "Motivo", "Reason"), 2000), nil, input),
		}},
	}
}

func parseReason(v slack.View) (reasonMeta, string, error) {
	var meta reasonMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil {
		return meta, "", fmt.Errorf("reason modal metadata: %w", err)
	}
	if v.State == nil {
		return meta, "", fmt.Errorf("reason modal without state")
	}
	return meta, v.State.Values[fieldReason][fieldReason].Value, nil
}

func pick(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}
