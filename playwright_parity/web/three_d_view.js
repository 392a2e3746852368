/* The 3D Exploration view with Three.js: tasks/three_d_exploration/render.py's pyrender scene, rebuilt.
 *
 * Same inputs: trimesh's icosphere and vertex normals, pyrender's view and projection matrices, light and
 * material (render.scene_description()). Same lighting equation: the fragment shader is pyrender's
 * shaders/mesh.frag (metallic-roughness path, one directional light, ambient, output gamma 1/2.2), so
 * colours agree up to float rounding; MeshStandardMaterial has another BRDF and colour pipeline. Same
 * sampling: 4x MSAA into an offscreen target resolved by a blit, as pyrender does; the page reads the
 * pixels back into a 2-D canvas, the raster the annosim canvas draws 1:1 (the Python view draws
 * pyrender's array the same way).
 *
 * Orientations are computed exactly, as world.py does: 30-degree steps have entries (A + B*sqrt(3)) / 2^k
 * with integer A, B, kept as BigInt (they outgrow doubles after a few dozen presses); the float matrix
 * is computed from the key, so a state gives the same centres whatever the path, and the key names the
 * cached raster.
 */

const VERTEX = `precision highp float;
in vec3 position;
in vec3 normal;
uniform mat4 modelMatrix;
uniform mat4 viewMatrix;
uniform mat4 projectionMatrix;
out vec3 frag_position;
out vec3 frag_normal;
void main() {
  // pyrender's mesh.vert: P * V * M * position; normals by the inverse transpose of M.
  gl_Position = projectionMatrix * viewMatrix * modelMatrix * vec4(position, 1.0);
  frag_position = vec3(modelMatrix * vec4(position, 1.0));
  mat4 N = transpose(inverse(modelMatrix));
  frag_normal = normalize(vec3(N * vec4(normal, 0.0)));
}`;

// pyrender's mesh.frag with USE_METALLIC_MATERIAL, NORMAL_LOC, one directional light, no textures.
const FRAGMENT = `precision highp float;
in vec3 frag_position;
in vec3 frag_normal;
uniform vec4 base_color_factor;
uniform float metallic_factor;
uniform float roughness_factor;
uniform vec3 light_color;
uniform float light_intensity;
uniform vec3 light_direction;
uniform vec3 cam_pos;
uniform vec3 ambient_light;
out vec4 frag_color;
const float PI = 3.141592653589793;
const float min_roughness = 0.04;

vec3 compute_brdf(vec3 n, vec3 v, vec3 l, float roughness, vec3 f0, vec3 c_diff, vec3 radiance) {
  vec3 h = normalize(l + v);
  float nl = clamp(dot(n, l), 0.001, 1.0);
  float nv = clamp(abs(dot(n, v)), 0.001, 1.0);
  float nh = clamp(dot(n, h), 0.0, 1.0);
  float vh = clamp(dot(v, h), 0.0, 1.0);
  vec3 F = f0 + (1.0 - f0) * pow(clamp(1.0 - vh, 0.0, 1.0), 5.0);
  float r = roughness + 1.0;
  float k = r * r / 8.0;
  float G = (nv / (nv * (1.0 - k) + k)) * (nl / (nl * (1.0 - k) + k));
  float a = roughness * roughness;
  float a2 = a * a;
  float denom = nh * nh * (a2 - 1.0) + 1.0;
  float D = a2 / (PI * denom * denom);
  vec3 diffuse_contrib = (1.0 - F) * c_diff / PI;
  vec3 spec_contrib = F * G * D / (4.0 * nl * nv + 0.001);
  return nl * radiance * (diffuse_contrib + spec_contrib);
}

void main() {
  vec4 color = vec4(vec3(0.0), 1.0);
  float roughness = clamp(roughness_factor, min_roughness, 1.0);
  float metallic = clamp(metallic_factor, 0.0, 1.0);
  vec4 base_color = base_color_factor;
  vec3 c_diff = mix(vec3(0.0), base_color.rgb * (1.0 - min_roughness), 1.0 - metallic);
  vec3 f0 = mix(vec3(min_roughness), base_color.rgb, metallic);
  vec3 n = normalize(frag_normal);
  vec3 v = normalize(cam_pos - frag_position);
  vec3 l = normalize(-1.0 * light_direction);
  color.xyz += compute_brdf(n, v, l, roughness, f0, c_diff, light_intensity * light_color);
  color.xyz += base_color.xyz * ambient_light;
  frag_color = clamp(vec4(pow(color.xyz, vec3(1.0 / 2.2)), color.a * base_color.a), 0.0, 1.0);
}`;

// -- exact orientations (world.py) ---------------------------------------------------------------------
function axisStep(axis, sign) {
  const a = Array(9).fill(0n), b = Array(9).fill(0n);
  a[axis * 3 + axis] = 2n;
  const [i, j] = [[1, 2], [2, 0]][axis];
  b[i * 3 + i] = b[j * 3 + j] = 1n;
  a[i * 3 + j] = BigInt(-sign);
  a[j * 3 + i] = BigInt(sign);
  return {a, b, k: 1};
}
const STEP = {"+x": axisStep(0, 1), "-x": axisStep(0, -1), "+y": axisStep(1, 1), "-y": axisStep(1, -1)};
const IDENTITY = {a: [1n, 0n, 0n, 0n, 1n, 0n, 0n, 0n, 1n], b: Array(9).fill(0n), k: 0};

function matmul(p, q) {
  const out = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
    let s = 0n;
    for (let t = 0; t < 3; t++) s += p[3 * r + t] * q[3 * t + c];
    out.push(s);
  }
  return out;
}

/** m . n exactly, reduced to the smallest power of two (world._compose). */
function compose(m, n) {
  const aa = matmul(m.a, n.a), bb = matmul(m.b, n.b), ab = matmul(m.a, n.b), ba = matmul(m.b, n.a);
  let a = aa.map((x, i) => x + 3n * bb[i]), b = ab.map((x, i) => x + ba[i]), k = m.k + n.k;
  while (k > 0 && a.every((x) => x % 2n === 0n) && b.every((x) => x % 2n === 0n)) {
    a = a.map((x) => x / 2n); b = b.map((x) => x / 2n); k -= 1;
  }
  return {a, b, k};
}

const keyString = (key) => `${key.a.join(",")}|${key.b.join(",")}|${key.k}`;

/** world.key_matrix: (A + B * sqrt(3)) / 2^k as doubles, row-major. */
function keyMatrix(key) {
  const s3 = Math.sqrt(3), d = 2 ** key.k;
  return key.a.map((x, i) => (Number(x) + Number(key.b[i]) * s3) / d);
}

/** Instance.centres: points @ (M @ start).T (numpy's BLAS may round the last bit differently: far below
 *  a pixel, and the positions are float32 on the GPU on both sides). */
function centres(points, start, m) {
  const r = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    r.push(m[3 * i] * start[0][j] + m[3 * i + 1] * start[1][j] + m[3 * i + 2] * start[2][j]);
  }
  return points.map((p) => [0, 1, 2].map((i) => p[0] * r[3 * i] + p[1] * r[3 * i + 1] + p[2] * r[3 * i + 2]));
}

// -- the Three.js scene ------------------------------------------------------------------------------
const MAX_CACHED = 256;

let shared = null;   // one WebGL context for the page: Chromium drops the oldest past ~16

function context(THREE, size) {
  if (!shared || shared.size !== size) {
    THREE.ColorManagement.enabled = false;   // colours are pyrender's raw factors: no sRGB conversions
    const renderer = new THREE.WebGLRenderer({canvas: document.createElement("canvas"), antialias: false});
    renderer.setSize(size, size, false);
    // pyrender renders into a 4-sample renderbuffer and blits it to a single-sample one; so does Three.js.
    const target = new THREE.WebGLRenderTarget(size, size, {samples: 4, depthBuffer: true,
      minFilter: THREE.NearestFilter, magFilter: THREE.NearestFilter, generateMipmaps: false});
    if (shared) { shared.target.dispose(); shared.renderer.dispose(); }
    shared = {size, renderer, target, scene: null};
  }
  return shared;
}

export function makeView(THREE, data) {
  const sc = data.scene, size = sc.size;
  const {renderer, target} = context(THREE, size);
  const bg = new THREE.Color(sc.background[0], sc.background[1], sc.background[2]);

  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute("position", new THREE.BufferAttribute(new Float32Array(sc.mesh.positions), 3));
  geometry.setAttribute("normal", new THREE.BufferAttribute(new Float32Array(sc.mesh.normals), 3));
  geometry.setIndex(new THREE.BufferAttribute(new Uint32Array(sc.mesh.index), 1));

  if (shared.scene) {   // the previous task data's scene: free its GPU buffers and programs
    shared.scene.traverse((o) => { if (o.isMesh) { o.geometry.dispose(); o.material.dispose(); } });
  }
  const scene = shared.scene = new THREE.Scene();
  const meshes = data.colors.map((rgb) => {
    const material = new THREE.RawShaderMaterial({
      glslVersion: THREE.GLSL3, vertexShader: VERTEX, fragmentShader: FRAGMENT,
      uniforms: {
        base_color_factor: {value: new THREE.Vector4(rgb[0] / 255, rgb[1] / 255, rgb[2] / 255, 1)},
        metallic_factor: {value: sc.material.metallic}, roughness_factor: {value: sc.material.roughness},
        light_color: {value: new THREE.Vector3(...sc.light.color)}, light_intensity: {value: sc.light.intensity},
        light_direction: {value: new THREE.Vector3(...sc.light.direction)},
        cam_pos: {value: new THREE.Vector3(...sc.camera.position)},
        ambient_light: {value: new THREE.Vector3(...sc.ambient)},
      },
    });   // FrontSide: back faces culled, as pyrender does
    const mesh = new THREE.Mesh(geometry, material);
    mesh.frustumCulled = false;   // the infinite projection has no far plane for Three's frustum test
    scene.add(mesh);
    return mesh;
  });

  const camera = new THREE.Camera();
  const [px, py, pz] = sc.camera.position;
  camera.position.set(px, py, pz);   // viewMatrix = its inverse: sc.camera.view
  camera.projectionMatrix.set(...sc.camera.projection.flat());   // Matrix4.set is row-major
  camera.projectionMatrixInverse.copy(camera.projectionMatrix).invert();

  const keys = new Map([["", IDENTITY]]);   // rotations joined -> exact key
  const rasters = new Map();                // key string -> 2-D canvas (insertion order = LRU order)
  const pixels = new Uint8Array(size * size * 4);

  function keyOf(rotations) {
    let n = rotations.length;   // from the longest known prefix (a state grows one press at a time)
    while (!keys.has(rotations.slice(0, n).join(" "))) n--;
    let key = keys.get(rotations.slice(0, n).join(" "));
    for (; n < rotations.length; n++) {
      key = compose(STEP[rotations[n]], key);
      keys.set(rotations.slice(0, n + 1).join(" "), key);
    }
    return key;
  }

  function render(key) {
    const cs = centres(data.points, data.start, keyMatrix(key));
    meshes.forEach((m, i) => m.position.set(cs[i][0], cs[i][1], cs[i][2]));
    if (shared.scene !== scene) throw new Error("3D view: task data was replaced; this view is stale");
    renderer.setRenderTarget(target);
    renderer.setClearColor(bg, 1);
    renderer.render(scene, camera);
    renderer.readRenderTargetPixels(target, 0, 0, size, size, pixels);
    renderer.setRenderTarget(null);
    const out = document.createElement("canvas");
    out.width = out.height = size;
    const ctx = out.getContext("2d");
    const img = ctx.createImageData(size, size);
    for (let y = 0; y < size; y++) {   // GL rows run bottom-up
      img.data.set(pixels.subarray((size - 1 - y) * size * 4, (size - y) * size * 4), y * size * 4);
    }
    ctx.putImageData(img, 0, 0);
    return out;
  }

  return {
    /** The view after `rotations` as a canvas (the same object while cached). */
    raster(rotations) {
      const k = keyString(keyOf(rotations));
      let out = rasters.get(k);
      if (out) rasters.delete(k);
      else out = render(keyOf(rotations));
      rasters.set(k, out);
      if (rasters.size > MAX_CACHED) rasters.delete(rasters.keys().next().value);
      return out;
    },
  };
}
