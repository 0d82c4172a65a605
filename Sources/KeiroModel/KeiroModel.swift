// KeiroModel
