// The page's words in English and Russian. Elements carry data-i18n (text) or data-i18n-title (tooltip).
export const WORDS = {
  en: {
    playground: "playground", epoch: "Epoch", learningRate: "Learning rate", activation: "Activation",
    optimizer: "Optimizer", regularization: "Regularization", regularizationRate: "Regularization rate",
    problem: "Problem type", language: "Language", data: "Data", dataset: "Data set",
    uploadCsv: "Upload CSV (x1, x2, label)", ratio: "Ratio of training to test data", noise: "Noise",
    batchSize: "Batch size", regenerate: "Regenerate", training: "Training", init: "Initialization",
    dropout: "Dropout", batchnorm: "Batch norm", temperature: "Softmax temperature",
    trainOn: "Train (off: type weights by hand)", export: "Export", exportScript: "Python script",
    exportWeights: "Weights (safetensors)", exportData: "Data (CSV)", output: "Output", lossTest: "Test loss",
    lossTrain: "Training loss", accuracyTest: "Test accuracy", showTest: "Show test data",
    discretize: "Discretize output", trace: "Trace of one step", reset: "Reset the network",
    play: "Run / pause", step: "One epoch", features: "Features", hiddenLayers: "Hidden layers",
    neurons: "neurons", outputLayer: "output",
    linkHint: "Click a link or a bias (the small square) to type its weight.",
    traceHint: "Click the map: one training step on the nearest point, every number shown.",
    zerosNote: "Zeros make every unit of a layer compute the same thing and get the same update: they stay identical.",
    typeWeight: "New value of", value: "value", gradient: "gradient", point: "point", label: "label",
    connectionLost: "The connection to the server was lost; reload the page.",
    noLayerToRemove: "There is no hidden layer to remove (0 to 6 hidden layers).",
    datasets: { circle: "Circle", xor: "Exclusive or", gauss: "Gaussian", spiral: "Spiral", plane: "Plane",
                multigauss: "Multi-Gaussian", upload: "Uploaded CSV" },
    activations: { relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear", step: "Step (Heaviside)" },
    optimizers: { sgd: "SGD", momentum: "Momentum", nesterov: "Nesterov", rmsprop: "RMSprop", adam: "Adam" },
    regularizations: { none: "None", l1: "L1", l2: "L2" },
    problems: { classification: "Classification", regression: "Regression" },
    inits: { default: "Uniform ±1/√n", xavier: "Xavier", he: "He", zeros: "Zeros" },
  },
  ru: {
    playground: "песочница", epoch: "Эпоха", learningRate: "Скорость обучения", activation: "Активация",
    optimizer: "Оптимизатор", regularization: "Регуляризация", regularizationRate: "Коэффициент регуляризации",
    problem: "Тип задачи", language: "Язык", data: "Данные", dataset: "Набор данных",
    uploadCsv: "Загрузить CSV (x1, x2, метка)", ratio: "Доля обучающих данных", noise: "Шум",
    batchSize: "Размер батча", regenerate: "Сгенерировать заново", training: "Обучение",
    init: "Инициализация", dropout: "Дропаут", batchnorm: "Батч-нормализация",
    temperature: "Температура softmax", trainOn: "Обучать (выкл.: веса вводятся вручную)", export: "Экспорт",
    exportScript: "Скрипт на Python", exportWeights: "Веса (safetensors)", exportData: "Данные (CSV)",
    output: "Выход", lossTest: "Потери на тесте", lossTrain: "Потери на обучении",
    accuracyTest: "Точность на тесте", showTest: "Показать тестовые данные", discretize: "Дискретный выход",
    trace: "Трассировка одного шага", reset: "Сбросить сеть", play: "Пуск / пауза", step: "Одна эпоха",
    features: "Признаки", hiddenLayers: "Скрытых слоёв", neurons: "нейронов", outputLayer: "выход",
    linkHint: "Щёлкните связь или смещение (квадратик), чтобы ввести вес.",
    traceHint: "Щёлкните карту: шаг обучения на ближайшей точке, все числа.",
    zerosNote: "При нулевой инициализации все нейроны слоя считают одно и то же и получают одно и то же обновление: они остаются одинаковыми.",
    typeWeight: "Новое значение", value: "значение", gradient: "градиент", point: "точка", label: "метка",
    connectionLost: "Связь с сервером потеряна; перезагрузите страницу.",
    noLayerToRemove: "Скрытых слоёв нет, удалять нечего (от 0 до 6 скрытых слоёв).",
    datasets: { circle: "Круг", xor: "Исключающее ИЛИ", gauss: "Гауссовы облака", spiral: "Спираль",
                plane: "Плоскость", multigauss: "Несколько гауссиан", upload: "Загруженный CSV" },
    activations: { relu: "ReLU", tanh: "Гиперболический тангенс", sigmoid: "Сигмоида", linear: "Линейная",
                   step: "Ступенька (Хевисайд)" },
    optimizers: { sgd: "SGD", momentum: "Моментум", nesterov: "Нестеров", rmsprop: "RMSprop", adam: "Adam" },
    regularizations: { none: "Нет", l1: "L1", l2: "L2" },
    problems: { classification: "Классификация", regression: "Регрессия" },
    inits: { default: "Равномерная ±1/√n", xavier: "Ксавье", he: "Хе", zeros: "Нули" },
  },
};

export function words(lang) {
  return WORDS[lang] || WORDS.en;
}

// Write the words of `lang` into every element marked for it.
export function translate(lang) {
  const w = words(lang);
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = w[el.dataset.i18n];
  for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = w[el.dataset.i18nTitle];
}
