-- The model's explainability report: SHAP values per feature (XGBoost models only).
SELECT EXPLAIN_MODEL({{model_reference}}) AS explanation;
